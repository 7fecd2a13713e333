using System.Runtime.CompilerServices;

namespace Hearth.Inference;

public sealed partial class InferenceSession
{
    /// <summary>The tokens in the KV cache, in order (// [Position]); valid until the session changes.</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public ReadOnlySpan<int> Tokens => _history.AsSpan(0, Position);

    /// <summary>
    /// Starts generating after <paramref name="prompt"/>, which is appended to what the session already holds (empty
    /// session: a new text; otherwise a continuation — an empty prompt continues from the session's last logits, e.g.
    /// after <see cref="LoadState"/>). Step it with <see cref="TokenGenerator.MoveNext"/>.
    /// </summary>
    /// <exception cref="ContextOverflowException">The prompt does not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public TokenGenerator CreateGenerator(ReadOnlySpan<int> prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Start(prompt, 0, options, cancellationToken);

    /// <summary>
    /// As <see cref="CreateGenerator(ReadOnlySpan{int}, GenerationOptions?, CancellationToken)"/> for text, tokenized with
    /// the model's tokenizer (BOS added when the session is empty and the vocabulary asks for it).
    /// </summary>
    /// <exception cref="ContextOverflowException">The prompt does not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public TokenGenerator CreateGenerator(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return CreateGenerator(Encode(prompt), options, cancellationToken);
    }

    /// <summary>
    /// Starts generating after exactly <paramref name="tokens"/> (a whole prompt, e.g. a rendered conversation): the part
    /// the session already holds is kept (<see cref="RewindToCommonPrefix"/>) and only the rest is evaluated.
    /// </summary>
    /// <exception cref="ContextOverflowException">The prompt does not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public TokenGenerator CreateGeneratorReusingPrefix(ReadOnlySpan<int> tokens, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (tokens.IsEmpty) throw new ArgumentException("The prompt has no tokens.", nameof(tokens));
        if (tokens.Length > ContextSize) throw new ContextOverflowException(tokens.Length, ContextSize);
        int kept = RewindToCommonPrefix(tokens);
        return Start(tokens[kept..], kept, options, cancellationToken);
    }

    private TokenGenerator Start(ReadOnlySpan<int> prompt, int reused, GenerationOptions? options, CancellationToken cancellationToken)
    {
        options ??= new GenerationOptions();
        options.Validate();
        CheckPrompt(prompt);
        return new TokenGenerator(this, prompt.ToArray(), reused, options, cancellationToken);
    }

    /// <summary>Token ids in range, room in the context, and something to continue from.</summary>
    internal void CheckPrompt(ReadOnlySpan<int> prompt)
    {
        ThrowIfDisposed();
        if (prompt.IsEmpty && Position == 0) throw new ArgumentException("The prompt has no tokens and the session holds none to continue from.", nameof(prompt));
        int vocab = _model.Config.VocabSize;
        foreach (int t in prompt)
        {
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(prompt), t, $"Prompt token ids must be in [0, {vocab}).");
        }
        int needed = Position + prompt.Length;
        if (needed > ContextSize) throw new ContextOverflowException(needed, ContextSize);
    }

    private int[] Encode(string prompt) => _model.Tokenizer.Encode(prompt, addSpecial: Position == 0);

    /// <summary>
    /// Rewinds to the longest prefix the cache shares with <paramref name="tokens"/>, leaving at least one token of them to
    /// evaluate (the next token's logits come from evaluating the last one); returns the number of tokens kept. A hybrid
    /// model keeps the part its recurrent state can return to: all of it when the session holds nothing beyond, else up
    /// to the latest checkpoint inside it (see <see cref="ModelOptions.RecurrentCheckpoints"/>).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public int RewindToCommonPrefix(ReadOnlySpan<int> tokens)
    {
        int common = Tokens.CommonPrefixLength(tokens);
        if (common >= tokens.Length) common = tokens.Length - 1;
        if (common < 0) common = 0;
        common = ReusablePrefix(common); // a hybrid model keeps what a checkpoint covers
        Rewind(common);
        return common;
    }

    /// <summary>
    /// Streams the tokens generated after <paramref name="prompt"/> (appended to what the session holds; an empty prompt
    /// continues from the session's last logits, e.g. after <see cref="LoadState"/>). The generation runs on the model's
    /// <see cref="InferenceEngine"/>, batched with every other generation of the model; cancelling ends it at the next step.
    /// </summary>
    /// <exception cref="ContextOverflowException">The prompt does not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed (also while streaming).</exception>
    /// <exception cref="InvalidOperationException">Another generation is running in this session.</exception>
    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(string prompt, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ThrowIfDisposed();
        var generation = _model.Engine.Submit(this, Encode(prompt), options);
        await foreach (var update in generation.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (update.TokenId >= 0 || update.Text.Length > 0) yield return new GeneratedToken(update.TokenId, update.Text);
        }
    }

    /// <summary>As <see cref="GenerateAsync(string, GenerationOptions?, CancellationToken)"/> for a tokenized prompt.</summary>
    /// <exception cref="ContextOverflowException">The prompt does not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed (also while streaming).</exception>
    /// <exception cref="InvalidOperationException">Another generation is running in this session.</exception>
    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(int[] prompt, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ThrowIfDisposed();
        var generation = _model.Engine.Submit(this, prompt, options);
        await foreach (var update in generation.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (update.TokenId >= 0 || update.Text.Length > 0) yield return new GeneratedToken(update.TokenId, update.Text);
        }
    }
}
