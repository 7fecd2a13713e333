namespace Hearth.Sampling;

/// <summary>
/// Chooses the next token from a vocabulary's logits through a chain of stages in llama.cpp's default order:
/// penalties, logit bias, top-k, typical-p, top-p, min-p, temperature, then a draw from the distribution
/// (or the most likely token when the temperature is 0 or less). Not thread-safe: one per generation.
/// Allocates nothing per call after construction.
/// </summary>
internal sealed class Sampler
{
    private readonly CandidateBuffer _candidates;
    private readonly ISamplerStage[] _prefix; // stages that need the whole vocabulary in token order
    private readonly ISamplerStage[] _filters;
    private readonly GrammarStage? _grammar;
    private readonly bool _greedy;
    private readonly ulong? _requestedSeed;
    private SamplerRandom _random;

    /// <summary>Creates a sampler for a vocabulary of <paramref name="vocabSize"/> tokens.</summary>
    public Sampler(SamplerOptions options, int vocabSize)
        : this(options, vocabSize, null)
    {
    }

    /// <summary>
    /// Creates a sampler; <paramref name="vocabulary"/> (the model's token bytes) is required when
    /// <see cref="SamplerOptions.Grammar"/> is set.
    /// </summary>
    public Sampler(SamplerOptions options, int vocabSize, GrammarVocabulary? vocabulary)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (vocabSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "The vocabulary size must be positive.");
        Validate(options);
        Options = options;
        VocabSize = vocabSize;
        _candidates = new CandidateBuffer(vocabSize);

        var prefix = new List<ISamplerStage>();
        if (PenaltyStage.IsActive(options))
            prefix.Add(new PenaltyStage(vocabSize, options.PenaltyLastN, options.RepeatPenalty, options.FrequencyPenalty, options.PresencePenalty));
        if (options.LogitBias is { Count: > 0 } bias)
            prefix.Add(new LogitBiasStage(bias, vocabSize));
        _prefix = [.. prefix];

        if (options.Grammar is { } grammar)
        {
            if (vocabulary == null)
                throw new ArgumentException("SamplerOptions.Grammar is set, so the sampler needs the model's GrammarVocabulary (token bytes).", nameof(vocabulary));
            if (vocabulary.Count != vocabSize)
                throw new ArgumentException($"The grammar vocabulary has {vocabulary.Count} tokens but the sampler is for {vocabSize}.", nameof(vocabulary));
            _grammar = new GrammarStage(grammar, vocabulary);
        }

        _greedy = options.Temperature <= 0f;
        var filters = new List<ISamplerStage>();
        if (!_greedy)
        {
            if (options.TopK > 0) filters.Add(new TopKStage(options.TopK));
            if (options.TypicalP < 1f) filters.Add(new TypicalStage(options.TypicalP, vocabSize));
            if (options.TopP < 1f) filters.Add(new TopPStage(options.TopP));
            if (options.MinP > 0f) filters.Add(new MinPStage(options.MinP));
            filters.Add(new TemperatureStage(options.Temperature));
        }
        _filters = [.. filters];

        _requestedSeed = options.Seed;
        Seed = options.Seed ?? NewRandomSeed();
        _random = new SamplerRandom(Seed);
    }

    /// <summary>The options this sampler was built with.</summary>
    public SamplerOptions Options { get; }

    /// <summary>Number of tokens in the vocabulary (the length <see cref="Sample"/> expects).</summary>
    public int VocabSize { get; }

    /// <summary>The seed in use: <see cref="SamplerOptions.Seed"/>, or the random one picked when that was null.</summary>
    public ulong Seed { get; private set; }

    /// <summary>Picks the next token id from <paramref name="logits"/> (one per vocabulary entry; not modified).</summary>
    /// <remarks>
    /// With a grammar, the token is first sampled without it and kept if the grammar accepts it (the common case, and
    /// cheap); only otherwise are all rejected tokens masked and the sampling repeated, as llama.cpp does.
    /// </remarks>
    public int Sample(ReadOnlySpan<float> logits) // logits: [n_vocab]
    {
        int token = SampleOnce(logits, masked: false);
        if (_grammar == null || _grammar.IsAllowed(token)) return token;
        return SampleOnce(logits, masked: true);
    }

    private int SampleOnce(ReadOnlySpan<float> logits, bool masked)
    {
        var c = _candidates;
        c.Load(logits);
        foreach (var stage in _prefix) stage.Apply(c);
        if (masked) _grammar!.Apply(c);
        if (_greedy) return c.Ids[c.ArgMax()];
        foreach (var stage in _filters) stage.Apply(c);
        return Draw(c);
    }

    /// <summary>With a grammar: the output so far is complete, so an end-of-generation token is allowed.</summary>
    public bool GrammarAccepting => _grammar?.IsAccepting ?? false;

    /// <summary>With a grammar: the output is complete and the grammar allows nothing more (stop generating).</summary>
    public bool GrammarComplete => _grammar?.IsComplete ?? false;

    internal GrammarStage? GrammarStage => _grammar;

    /// <summary>Draws from the softmax of the remaining candidates (llama.cpp's <c>llama_sampler_dist</c>).</summary>
    private int Draw(CandidateBuffer c)
    {
        c.ComputeProbs();
        int n = c.Count;
        double u = _random.NextDouble();
        double cum = 0;
        for (int i = 0; i < n; i++)
        {
            cum += c.Probs[i];
            if (u < cum) return c.Ids[i];
        }
        // u landed in the rounding slack above the float sum: take the last token with any probability.
        for (int i = n - 1; i > 0; i--)
            if (c.Probs[i] > 0) return c.Ids[i];
        return c.Ids[0];
    }

    /// <summary>Records that <paramref name="token"/> was appended to the output (feeds the penalty window).</summary>
    public void Accept(int token)
    {
        if ((uint)token >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id must be in [0, {VocabSize}).");
        _grammar?.Accept(token);
        foreach (var stage in _prefix) stage.Accept(token);
    }

    /// <summary>Forgets the token history and restarts the random sequence (from the same seed when one was given).</summary>
    public void Reset()
    {
        foreach (var stage in _prefix) stage.Reset();
        _grammar?.Reset();
        Seed = _requestedSeed ?? NewRandomSeed();
        _random = new SamplerRandom(Seed);
    }

    private static ulong NewRandomSeed() => (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);

    private static void Validate(SamplerOptions o)
    {
        if (float.IsNaN(o.Temperature)) throw new ArgumentException("Temperature is NaN.", nameof(o));
        if (o.TopK < 0) throw new ArgumentException($"TopK must be 0 (off) or positive, got {o.TopK}.", nameof(o));
        if (!(o.TopP is > 0f and <= 1f)) throw new ArgumentException($"TopP must be in (0, 1] (1 = off), got {o.TopP}.", nameof(o));
        if (!(o.MinP is >= 0f and <= 1f)) throw new ArgumentException($"MinP must be in [0, 1] (0 = off), got {o.MinP}.", nameof(o));
        if (!(o.TypicalP is > 0f and <= 1f)) throw new ArgumentException($"TypicalP must be in (0, 1] (1 = off), got {o.TypicalP}.", nameof(o));
        if (!(o.RepeatPenalty > 0f)) throw new ArgumentException($"RepeatPenalty must be positive (1 = off), got {o.RepeatPenalty}.", nameof(o));
        if (float.IsNaN(o.PresencePenalty) || float.IsNaN(o.FrequencyPenalty)) throw new ArgumentException("Presence/frequency penalty is NaN.", nameof(o));
        if (o.PenaltyLastN < -1) throw new ArgumentException($"PenaltyLastN must be -1 (whole context), 0 (off) or positive, got {o.PenaltyLastN}.", nameof(o));
    }
}
