using System.Diagnostics;
using Hearth.Sampling;
using Hearth.Tokenization;

namespace Hearth.Inference;

/// <summary>
/// The one generator: <see cref="Step"/> takes a sequence's next-token logits and gives the sampled token, the text that
/// became visible with it (control tokens render as nothing, UTF-8 and stop strings are held back until complete) and,
/// at the end, the <see cref="FinishReason"/>. The <see cref="InferenceEngine"/> drives one per slot; a generator created
/// by <see cref="InferenceSession.CreateGenerator(ReadOnlySpan{int}, GenerationOptions?, CancellationToken)"/> also
/// drives its session itself, one token per <see cref="MoveNext"/> (evaluate the prompt in batches, checking
/// cancellation between them, then sample, decode and feed back). Not thread-safe. Without stop strings a step
/// allocates nothing: <see cref="CurrentText"/> is a view of a reused buffer. (Stop strings are matched over strings,
/// which costs one small string per token.)
/// </summary>
public sealed class TokenGenerator
{
    private readonly InferenceSession? _session;
    private readonly Tokenizer _tokenizer;
    private readonly Sampler _sampler;
    private readonly StopStringMatcher? _stops;
    private readonly Utf8StreamDecoder _utf8 = new();
    private readonly int[] _prompt;
    private readonly int _maxTokens;
    private readonly CancellationToken _cancellation;
    private readonly int[] _one = new int[1];
    private char[] _chars = new char[64];
    private int _charCount;
    private string? _text; // the current text when it is a string (stop strings, or the flushed end)
    private bool _started;
    private bool _feedBack;
    private long _startTicks;
    private long _promptDoneTicks;
    private long _endTicks;

    internal TokenGenerator(InferenceSession session, int[] prompt, int reusedTokens, GenerationOptions options, CancellationToken cancellation)
        : this(session.Model, options, prompt, reusedTokens)
    {
        _session = session;
        _cancellation = cancellation;
    }

    /// <summary>
    /// A generator for a sequence the caller evaluates: pass each next-token logits to <see cref="Step"/> and feed the
    /// sampled <see cref="Current"/> token back into the sequence before the next step.
    /// </summary>
    /// <param name="model">The model whose tokenizer decodes the tokens (and whose vocabulary the logits cover).</param>
    /// <param name="options">Sampling, token limit and stop strings; null for the defaults.</param>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public TokenGenerator(Model model, GenerationOptions? options = null)
        : this(model, options ?? new GenerationOptions(), [], 0)
    {
    }

    internal TokenGenerator(Model model, GenerationOptions options, int[] prompt, int reusedTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        options.Validate();
        _tokenizer = model.Tokenizer;
        _prompt = prompt;
        ReusedPromptTokenCount = reusedTokens;
        _maxTokens = options.MaxTokens;
        var grammarVocabulary = options.Sampling.Grammar != null ? GrammarVocabularies.For(model) : null;
        _sampler = new Sampler(options.Sampling, model.Config.VocabSize, grammarVocabulary);
        if (options.StopStrings is { Count: > 0 } stops) _stops = new StopStringMatcher(stops);
        _vocabSize = model.Config.VocabSize;
    }

    private readonly int _vocabSize;

    /// <summary>The token produced by the last <see cref="MoveNext"/>, or -1 for a final element that only carries held-back text.</summary>
    public int Current { get; private set; } = -1;

    /// <summary>The text that became visible with <see cref="Current"/>; valid until the next <see cref="MoveNext"/>.</summary>
    public ReadOnlySpan<char> CurrentText => _text != null ? _text.AsSpan() : _chars.AsSpan(0, _charCount);

    /// <summary>Why generation ended, once it has; null while it goes on.</summary>
    public FinishReason? FinishReason { get; private set; }

    /// <summary>Tokens in the prompt, counting those reused from the session's cache.</summary>
    public int PromptTokenCount => ReusedPromptTokenCount + _prompt.Length;

    /// <summary>Leading prompt tokens that were already in the session's KV cache and were not evaluated again.</summary>
    public int ReusedPromptTokenCount { get; }

    /// <summary>Tokens generated so far (end-of-generation tokens are not counted).</summary>
    public int GeneratedTokenCount { get; private set; }

    /// <summary>The sampler's seed (the requested one, or the random one chosen).</summary>
    public ulong Seed => _sampler.Seed;

    /// <summary>Time spent evaluating the prompt.</summary>
    public TimeSpan PromptTime => _started ? Stopwatch.GetElapsedTime(_startTicks, _promptDoneTicks) : TimeSpan.Zero;

    /// <summary>Time spent generating after the prompt, up to the end (or now).</summary>
    public TimeSpan GenerationTime => _started ? Stopwatch.GetElapsedTime(_promptDoneTicks, _endTicks != 0 ? _endTicks : Stopwatch.GetTimestamp()) : TimeSpan.Zero;

    /// <summary>Produces the next token; false once generation has ended (see <see cref="FinishReason"/>).</summary>
    /// <exception cref="OperationCanceledException">The cancellation token was signalled.</exception>
    /// <exception cref="InvalidOperationException">The generator was created for <see cref="Step"/>, without a session.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public bool MoveNext()
    {
        var session = _session ?? throw new InvalidOperationException("This generator has no session: drive it with Step(logits).");
        if (FinishReason != null)
        {
            _text = null;
            _charCount = 0;
            Current = -1;
            return false;
        }
        _cancellation.ThrowIfCancellationRequested();
        if (!_started)
        {
            EvaluatePrompt(session);
        }
        else if (_feedBack)
        {
            _one[0] = Current;
            session.Evaluate(_one);
        }
        _feedBack = false;
        bool produced = Step(session.Logits, session.Position >= session.ContextSize);
        _feedBack = produced && Current >= 0 && FinishReason == null;
        return produced;
    }

    /// <summary>
    /// One step: samples a token from <paramref name="logits"/> (// [n_vocab], the sequence's next-token logits) and
    /// decodes its text. True when there is something to hand out: <see cref="Current"/> (-1 for a final element that
    /// only carries held-back text) and <see cref="CurrentText"/>; false once generation has ended. When
    /// <see cref="FinishReason"/> is set after a step, that step was the last.
    /// </summary>
    /// <param name="logits">The next-token logits of the sequence.</param>
    /// <param name="contextFull">The sequence has no room for another token, so the one sampled now is the last.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> does not cover the vocabulary.</exception>
    public bool Step(ReadOnlySpan<float> logits, bool contextFull = false)
    {
        if (logits.Length != _vocabSize) throw new ArgumentException($"The logits must cover the vocabulary ({_vocabSize} values), got {logits.Length}.", nameof(logits));
        _text = null;
        _charCount = 0;
        if (FinishReason != null)
        {
            Current = -1;
            return false;
        }
        if (!_started)
        {
            _started = true;
            _startTicks = _promptDoneTicks = Stopwatch.GetTimestamp();
        }

        if (GeneratedTokenCount >= _maxTokens) return Finish(Hearth.FinishReason.Length);
        int next = _sampler.Sample(logits);
        if (_tokenizer.IsEndOfGeneration(next)) return Finish(Hearth.FinishReason.EndOfGeneration);
        _sampler.Accept(next);
        GeneratedTokenCount++;
        Current = next;
        DecodeText(next);

        if (_stops != null)
        {
            _text = _stops.Push(new string(_chars, 0, _charCount));
            if (_stops.Stopped)
            {
                End(Hearth.FinishReason.StopString);
                return true;
            }
        }

        // Known to be the last token now: release held-back text with it rather than in an extra element.
        FinishReason? end = GeneratedTokenCount >= _maxTokens ? Hearth.FinishReason.Length
            : contextFull ? Hearth.FinishReason.ContextFull
            : _sampler.GrammarComplete ? Hearth.FinishReason.GrammarComplete
            : null;
        if (end is { } reason)
        {
            string tail = FlushHeldBack();
            if (tail.Length > 0) _text = string.Concat(CurrentText, tail);
            End(reason);
        }
        return true;
    }

    /// <summary>Ends the generation from outside (e.g. the sequence is full): returns the held-back text, if any.</summary>
    internal string Stop(FinishReason reason)
    {
        if (FinishReason != null) return string.Empty;
        string tail = FlushHeldBack();
        End(reason);
        return tail;
    }

    private void EvaluatePrompt(InferenceSession session)
    {
        _startTicks = Stopwatch.GetTimestamp();
        int batch = Math.Max(1, session.Model.Options.BatchSize);
        for (int i = 0; i < _prompt.Length; i += batch)
        {
            _cancellation.ThrowIfCancellationRequested();
            session.Evaluate(_prompt.AsSpan(i, Math.Min(batch, _prompt.Length - i)));
        }
        _started = true;
        _promptDoneTicks = Stopwatch.GetTimestamp();
    }

    private void DecodeText(int id)
    {
        // Control and unknown tokens render as nothing, as the tokenizer's streaming decoder does.
        if ((_tokenizer.GetAttributes(id) & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) return;
        var bytes = _tokenizer.TokenBytes(id);
        if (_chars.Length < bytes.Length + 4) _chars = new char[Math.Max(bytes.Length + 4, _chars.Length * 2)];
        _charCount = _utf8.Decode(bytes, _chars);
    }

    /// <summary>Ends without a new token: the held-back text, if any, becomes a final element with id -1.</summary>
    private bool Finish(FinishReason reason)
    {
        string tail = FlushHeldBack();
        End(reason);
        Current = -1;
        if (tail.Length == 0) return false;
        _text = tail;
        return true;
    }

    private string FlushHeldBack()
    {
        string tail = _utf8.HasPending ? _utf8.Flush() : string.Empty;
        if (_stops == null) return tail;
        if (tail.Length > 0)
        {
            string more = _stops.Push(tail);
            if (_stops.Stopped) return more;
            return more + _stops.Flush();
        }
        return _stops.Flush();
    }

    private void End(FinishReason reason)
    {
        FinishReason = reason;
        _endTicks = Stopwatch.GetTimestamp();
    }
}
