namespace Hearth.Server;

/// <summary>How <see cref="HearthServer"/> is started.</summary>
public sealed class HearthServerOptions
{
    /// <summary>The GGUF model to serve (required).</summary>
    public required string ModelPath { get; init; }

    /// <summary>The id clients send as <c>model</c>; default: the file name without <c>.gguf</c>.</summary>
    public string? ModelId { get; init; }

    /// <summary>The address to listen on: an IP address or <c>localhost</c>. Loopback only unless told otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (see <see cref="HearthServer.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Slots: requests decoded together in one batch, each with its own KV cache.</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>Tokens of KV cache per slot; 0 = the model's context length, at most 4096.</summary>
    public int ContextSize { get; init; }

    /// <summary>Requests that may wait for a slot; beyond that the server answers 503 with Retry-After.</summary>
    public int MaxQueue { get; init; } = 64;

    /// <summary>Largest request body accepted (413 beyond).</summary>
    public long MaxRequestBodyBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>
    /// When set, every request except the probes (<c>/health</c>, <c>/ready</c>) and the web chat page (<c>GET /</c>)
    /// needs <c>Authorization: Bearer KEY</c> (401 otherwise).
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// A Jinja chat template file used instead of the model's own (as for models whose GGUF has none or a broken one).
    /// Read once at start-up; requests can never name a file.
    /// </summary>
    public string? ChatTemplateFile { get; init; }

    /// <summary>The most tool calls a forced reply (<c>tool_choice</c> "required") may hold when <c>parallel_tool_calls</c> is not false.</summary>
    public int MaxParallelToolCalls { get; init; } = Hearth.Chat.ToolCalls.ToolCallGrammar.DefaultMaxCalls;

    /// <summary>More models served beside <see cref="ModelPath"/> (loaded on first use); a request's <c>model</c> picks one.</summary>
    public IReadOnlyList<ServedModel> ExtraModels { get; init; } = [];

    /// <summary>Most models kept loaded at once (the least recently used idle one is unloaded); 0 = no limit.</summary>
    public int MaxLoaded { get; init; }

    /// <summary>How long a request waits for its model to load before it is answered 503 with Retry-After.</summary>
    public TimeSpan LoadWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Worker threads for the forward pass; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Serve the web chat page at <c>/</c> (and <c>/index.html</c>): one static page from this assembly, open without
    /// the API key (it asks for the key when the API answers 401). False (<c>--no-webui</c>): <c>/</c> is a 404.
    /// </summary>
    public bool WebUi { get; init; } = true;

    /// <summary>Test hook: a pause after every engine step, so that in-flight requests can be observed.</summary>
    internal TimeSpan StepDelay { get; init; }

    /// <summary>Test hook: a pause before each model load, so that a request can find its model still loading.</summary>
    internal TimeSpan LoadDelay { get; init; }
}
