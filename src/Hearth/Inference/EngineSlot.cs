namespace Hearth.Inference;

/// <summary>
/// One sequence the engine advances: a session (a pool's own, kept between requests for prefix reuse, or the caller's)
/// and the generation running in it. Touched only by the engine thread.
/// </summary>
internal sealed class EngineSlot(InferenceSession session, SlotPool? pool)
{
    public InferenceSession Session { get; } = session;

    /// <summary>The pool the slot belongs to, or null for a caller's session.</summary>
    public SlotPool? Pool { get; } = pool;

    public Generation? Request { get; private set; }

    public TokenGenerator? Generator { get; private set; }

    public SlotState State { get; private set; }

    /// <summary>The tokens to evaluate before the first step (the prompt past the reused prefix).</summary>
    public int[] Pending { get; private set; } = [];

    /// <summary>Of <see cref="Pending"/>, how many are evaluated.</summary>
    public int PendingDone { get; set; }

    /// <summary>Prompt tokens that came from the cache.</summary>
    public int Reused { get; private set; }

    /// <summary>The last sampled token, fed in the next decode step.</summary>
    public int Next { get; set; } = -1;

    /// <summary>Takes <paramref name="request"/>: keeps the shared prefix of the cache (or appends), sets up its generator.</summary>
    public void Start(Generation request)
    {
        int[] prompt = request.Prompt;
        int reused = 0;
        int[] pending = prompt;
        if (request.ReusePrefix)
        {
            reused = Session.RewindToCommonPrefix(prompt);
            pending = reused == 0 ? prompt : prompt[reused..];
        }
        else
        {
            reused = Session.Position;
        }
        Session.CheckPrompt(pending);
        int total = reused + pending.Length;
        Request = request;
        Generator = new TokenGenerator(Session.Model, request.Options, pending, reused);
        request.Seed = Generator.Seed;
        Pending = pending;
        PendingDone = 0;
        Reused = request.ReusePrefix ? reused : 0;
        PromptTokens = request.ReusePrefix ? total : pending.Length;
        Next = -1;
        State = SlotState.Prompt;
    }

    /// <summary>Prompt tokens reported for the request (a continuation counts only its own).</summary>
    public int PromptTokens { get; private set; }

    public void BeginDecoding() => State = SlotState.Decode;

    /// <summary>Frees the slot; the cache keeps its tokens for prefix reuse.</summary>
    public void Release()
    {
        Request = null;
        Generator = null;
        Pending = [];
        State = SlotState.Idle;
    }
}

internal enum SlotState
{
    Idle,
    Prompt,
    Decode,
}
