using System.Globalization;
using System.Text;

namespace Hearth.Server.Metrics;

/// <summary>A cumulative histogram in Prometheus' shape (fixed upper bounds, count, sum), safe for concurrent recording.</summary>
internal sealed class PrometheusHistogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts; // [bounds + 1], the last is +Inf
    private long _count;
    private long _sumMicros;

    public PrometheusHistogram(string name, string help, double[] bounds)
    {
        Name = name;
        Help = help;
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    public string Name { get; }

    public string Help { get; }

    public long Count => Interlocked.Read(ref _count);

    public void Record(double seconds)
    {
        int i = 0;
        while (i < _bounds.Length && seconds > _bounds[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, (long)(seconds * 1e6));
    }

    public void WriteTo(StringBuilder sb)
    {
        sb.Append("# HELP ").Append(Name).Append(' ').Append(Help).Append('\n');
        sb.Append("# TYPE ").Append(Name).Append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i <= _bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            string le = i < _bounds.Length ? _bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            sb.Append(Name).Append("_bucket{le=\"").Append(le).Append("\"} ").Append(cumulative).Append('\n');
        }
        sb.Append(Name).Append("_sum ").Append((Interlocked.Read(ref _sumMicros) / 1e6).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(Name).Append("_count ").Append(cumulative).Append('\n');
    }
}
