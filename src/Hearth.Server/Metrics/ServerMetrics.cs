using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Hearth.Server.Metrics;

/// <summary>
/// The server's load and latency figures, kept twice from the same events: as System.Diagnostics.Metrics instruments on
/// the <c>Hearth.Server</c> meter (what OpenTelemetry's .NET SDK collects) and as Prometheus text for <c>GET /metrics</c>
/// (the gauges Kubernetes inference gateways route on: requests running/waiting and KV-cache usage).
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Hearth.Server";

    private static readonly double[] TtftBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] ItlBounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Meter _meter;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _generatedTokens;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _ttft;
    private readonly Histogram<double> _itl;
    private readonly PrometheusHistogram _ttftProm = new("hearth_time_to_first_token_seconds", "Time from request arrival to its first generated token.", TtftBounds);
    private readonly PrometheusHistogram _itlProm = new("hearth_inter_token_latency_seconds", "Time between consecutive generated tokens of a request.", ItlBounds);
    private readonly Func<int> _running;
    private readonly Func<int> _waiting;
    private readonly Func<double> _kvUsage;
    private long _promptTotal;
    private long _generatedTotal;
    private long _requestsTotal;
    private long _rejectedTotal;

    public ServerMetrics(Func<int> running, Func<int> waiting, Func<double> kvUsage)
    {
        _running = running;
        _waiting = waiting;
        _kvUsage = kvUsage;
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("hearth.requests.running", () => _running(), "{request}", "Requests holding a slot (prompt processing or decoding).");
        _meter.CreateObservableGauge("hearth.requests.waiting", () => _waiting(), "{request}", "Requests queued for a free slot.");
        _meter.CreateObservableGauge("hearth.kv_cache.usage", () => _kvUsage(), "1", "Tokens held in the slots' KV caches over their capacity.");
        _promptTokens = _meter.CreateCounter<long>("hearth.tokens.prompt", "{token}", "Prompt tokens processed (cached prefix tokens excluded).");
        _generatedTokens = _meter.CreateCounter<long>("hearth.tokens.generated", "{token}", "Tokens generated.");
        _requests = _meter.CreateCounter<long>("hearth.requests", "{request}", "Generation requests finished, by finish reason.");
        _ttft = _meter.CreateHistogram<double>("hearth.time_to_first_token", "s", "Time from request arrival to its first generated token.");
        _itl = _meter.CreateHistogram<double>("hearth.inter_token_latency", "s", "Time between consecutive generated tokens of a request.");
    }

    public void PromptTokens(int n)
    {
        Interlocked.Add(ref _promptTotal, n);
        _promptTokens.Add(n);
    }

    public void GeneratedToken()
    {
        Interlocked.Increment(ref _generatedTotal);
        _generatedTokens.Add(1);
    }

    public void TimeToFirstToken(double seconds)
    {
        _ttftProm.Record(seconds);
        _ttft.Record(seconds);
    }

    public void InterTokenLatency(double seconds)
    {
        _itlProm.Record(seconds);
        _itl.Record(seconds);
    }

    public void RequestFinished(string reason)
    {
        Interlocked.Increment(ref _requestsTotal);
        _requests.Add(1, new KeyValuePair<string, object?>("finish_reason", reason));
    }

    /// <summary>A request refused because the queue was full (503).</summary>
    public void RequestRejected()
    {
        Interlocked.Increment(ref _rejectedTotal);
        _requests.Add(1, new KeyValuePair<string, object?>("finish_reason", "rejected"));
    }

    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public string ToPrometheusText()
    {
        var sb = new StringBuilder(4096);
        Gauge(sb, "hearth_requests_running", "Requests holding a slot (prompt processing or decoding).", _running());
        Gauge(sb, "hearth_requests_waiting", "Requests queued for a free slot.", _waiting());
        Gauge(sb, "hearth_kv_cache_usage_ratio", "Tokens held in the slots' KV caches over their capacity (0..1).", _kvUsage());
        // vLLM's vllm:cache_config_info: prefix-cache-aware routers read the block size from it. A slot reuses its cached
        // prefix token by token, so the block is one token.
        sb.Append("# HELP hearth_cache_config_info Prefix-cache configuration (block_size: tokens per reusable block).\n");
        sb.Append("# TYPE hearth_cache_config_info gauge\n");
        sb.Append("hearth_cache_config_info{block_size=\"1\"} 1\n");
        Counter(sb, "hearth_prompt_tokens_total", "Prompt tokens processed (cached prefix tokens excluded).", Interlocked.Read(ref _promptTotal));
        Counter(sb, "hearth_generation_tokens_total", "Tokens generated.", Interlocked.Read(ref _generatedTotal));
        Counter(sb, "hearth_requests_total", "Generation requests finished (any finish reason, cancellations included).", Interlocked.Read(ref _requestsTotal));
        Counter(sb, "hearth_requests_rejected_total", "Requests answered 503 because the queue was full.", Interlocked.Read(ref _rejectedTotal));
        _ttftProm.WriteTo(sb);
        _itlProm.WriteTo(sb);
        return sb.ToString();
    }

    private static void Gauge(StringBuilder sb, string name, string help, double value) => Sample(sb, name, help, "gauge", value);

    private static void Counter(StringBuilder sb, string name, string help, double value) => Sample(sb, name, help, "counter", value);

    private static void Sample(StringBuilder sb, string name, string help, string type, double value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        sb.Append(name).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    public void Dispose() => _meter.Dispose();
}
