using System.Text;
using Hearth.Inference;
using Hearth.Sampling;

namespace Hearth.Server.Scheduling;

/// <summary>
/// One of the scheduler's N sequences: its own <see cref="InferenceSession"/> (its KV cache region) and the tokens that
/// cache holds, kept after a request ends so the next request can reuse the shared prefix. Touched only by the engine thread.
/// </summary>
internal sealed class Slot
{
    private readonly int[] _tokens; // [context] the tokens whose keys/values the session holds, in order
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private char[] _chars = new char[64];

    public Slot(int index, InferenceSession session)
    {
        Index = index;
        Session = session;
        _tokens = new int[session.ContextSize];
    }

    public int Index { get; }

    public InferenceSession Session { get; }

    public SlotState State { get; private set; }

    public GenerationRequest? Request { get; private set; }

    public Sampler? Sampler { get; private set; }

    public StopStringMatcher? Stops { get; private set; }

    /// <summary>Prompt tokens already in the cache (reused prefix, then processed chunks).</summary>
    public int PromptDone { get; set; }

    /// <summary>Prompt tokens whose cache entries came from the slot's previous request.</summary>
    public int CachedTokens { get; private set; }

    public int Generated { get; set; }

    /// <summary>The last sampled token, not yet evaluated (it is fed in the next decode step).</summary>
    public int Pending { get; set; }

    /// <summary>Stopwatch timestamp of the last token handed out (inter-token latency).</summary>
    public long LastTokenAt { get; set; }

    public ReadOnlySpan<int> CachedSequence => _tokens.AsSpan(0, Session.Position);

    /// <summary>Length of the prefix that the slot's cached tokens share with <paramref name="prompt"/>.</summary>
    public int CommonPrefix(ReadOnlySpan<int> prompt) => CachedSequence.CommonPrefixLength(prompt);

    /// <summary>Takes <paramref name="request"/>: keeps the shared prefix of the cache, drops the rest.</summary>
    public void Start(GenerationRequest request, Sampler sampler)
    {
        int common = CommonPrefix(request.PromptTokens);
        // At least one prompt token must be evaluated to get the logits of the next position.
        if (common == request.PromptTokens.Length) common--;
        Session.Rewind(common);
        Request = request;
        Sampler = sampler;
        Stops = new StopStringMatcher(request.Stop);
        PromptDone = common;
        CachedTokens = common;
        Generated = 0;
        Pending = -1;
        _utf8.Reset();
        State = SlotState.Prompt;
    }

    /// <summary>Evaluates <paramref name="tokens"/> and records them as cached; returns the last token's logits.</summary>
    public ReadOnlySpan<float> Evaluate(ReadOnlySpan<int> tokens)
    {
        int at = Session.Position;
        var logits = Session.Evaluate(tokens);
        tokens.CopyTo(_tokens.AsSpan(at));
        return logits;
    }

    /// <summary>Records that the pending token was evaluated by a batch decode (the session advanced by one).</summary>
    public void PendingEvaluated() => _tokens[Session.Position - 1] = Pending;

    public void BeginDecoding() => State = SlotState.Decode;

    /// <summary>Text of <paramref name="token"/> that completes valid UTF-8 (may be empty mid-character).</summary>
    public string DecodeText(ReadOnlySpan<byte> bytes)
    {
        if (_chars.Length < bytes.Length + 4) _chars = new char[bytes.Length + 4];
        int n = _utf8.GetChars(bytes, _chars, flush: false);
        return n == 0 ? string.Empty : new string(_chars, 0, n);
    }

    public string FlushText()
    {
        int n = _utf8.GetChars([], _chars, flush: true);
        return n == 0 ? string.Empty : new string(_chars, 0, n);
    }

    /// <summary>Frees the slot; the cache keeps its tokens for prefix reuse.</summary>
    public void Release()
    {
        Request = null;
        Sampler = null;
        Stops = null;
        State = SlotState.Idle;
    }

    /// <summary>Forgets the cache (after a failed evaluation its contents are unknown).</summary>
    public void Clear() => Session.Reset();
}

internal enum SlotState
{
    Idle,
    Prompt,
    Decode,
}
