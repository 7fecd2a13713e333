using System.Runtime.CompilerServices;
using System.Text;
using Hearth.Chat;
using Hearth.Inference;

namespace Hearth;

/// <summary>
/// A conversation with a model: the history is rendered with the model's chat template on every turn, and only the
/// tokens past the prefix already in the KV cache are evaluated, so earlier turns are not processed again. Replies are
/// streamed split into reasoning (<c>&lt;think&gt;…&lt;/think&gt;</c>) and content. Turns run on the model's
/// <see cref="InferenceEngine"/>, batched with the model's other generations. Not thread-safe: one turn at a time.
/// </summary>
public sealed class ChatSession : IDisposable
{
    private readonly List<ChatTemplateMessage> _history = [];
    private readonly Model _model;
    private readonly ChatTemplate _template;
    private readonly InferenceSession _session;
    private bool _disposed;

    /// <summary>A conversation over a new session of <paramref name="contextSize"/> tokens (0 = the model's, at most 4096).</summary>
    /// <param name="model">The model to talk to.</param>
    /// <param name="template">The chat template; null uses the model's (ChatML when it has none).</param>
    /// <param name="contextSize">The KV cache size in tokens.</param>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public ChatSession(Model model, ChatTemplate? template = null, int contextSize = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _template = template ?? ChatTemplate.FromGguf(model.File);
        _session = model.CreateSession(contextSize);
    }

    /// <summary>The model the conversation is with.</summary>
    /// <exception cref="ObjectDisposedException">The chat session was disposed.</exception>
    public Model Model
    {
        get
        {
            ThrowIfDisposed();
            return _model;
        }
    }

    /// <summary>The template the history is rendered with.</summary>
    /// <exception cref="ObjectDisposedException">The chat session was disposed.</exception>
    public ChatTemplate Template
    {
        get
        {
            ThrowIfDisposed();
            return _template;
        }
    }

    /// <summary>The underlying session (its KV cache can be saved with <see cref="InferenceSession.SaveState"/>).</summary>
    /// <exception cref="ObjectDisposedException">The chat session was disposed.</exception>
    public InferenceSession Session
    {
        get
        {
            ThrowIfDisposed();
            return _session;
        }
    }

    /// <summary>
    /// How much the model should reason, passed to the template as <c>reasoning_effort</c> (gpt-oss: <c>low</c>,
    /// <c>medium</c> — its default — or <c>high</c>); null leaves it to the template.
    /// </summary>
    public string? ReasoningEffort { get; set; }

    /// <summary>The messages so far, including the replies.</summary>
    /// <exception cref="ObjectDisposedException">The chat session was disposed.</exception>
    public IReadOnlyList<ChatTemplateMessage> History
    {
        get
        {
            ThrowIfDisposed();
            return _history;
        }
    }

    /// <summary>What the last completed turn did; null before the first.</summary>
    /// <exception cref="ObjectDisposedException">The chat session was disposed.</exception>
    public GenerationStats? LastTurn
    {
        get
        {
            ThrowIfDisposed();
            return field;
        }
        private set;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Adds a message without generating (a system prompt, or a restored history).</summary>
    /// <exception cref="ObjectDisposedException">The chat session was disposed.</exception>
    public void AddMessage(ChatTemplateMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ThrowIfDisposed();
        _history.Add(message);
    }

    /// <summary>
    /// Adds the user's message and streams the reply, reasoning and content apart. When the reply completes it joins
    /// the history; if it is cancelled or fails, the user's message is removed again.
    /// </summary>
    /// <exception cref="ContextOverflowException">The conversation no longer fits in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The chat session or the model was disposed (also while streaming).</exception>
    public async IAsyncEnumerable<ReasoningDelta> SendAsync(string userMessage, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userMessage);
        ThrowIfDisposed();
        _history.Add(ChatTemplateMessage.User(userMessage));
        bool completed = false;
        try
        {
            var variables = ReasoningEffort is null ? null : new Dictionary<string, object?>(StringComparer.Ordinal) { ["reasoning_effort"] = ReasoningEffort };
            var prompt = ChatPrompt.Build(_model, _template, _history, variables: variables);
            var generation = _model.Engine.Submit(_session, prompt.Tokens, options, reusePrefix: true);
            var parser = prompt.NewReasoningParser();
            var content = new StringBuilder();
            var reasoning = new StringBuilder();
            GenerationStats? stats = null;
            await foreach (var update in generation.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                stats ??= update.Finished;
                var delta = parser.Push(update.Text);
                if (delta.IsEmpty) continue;
                content.Append(delta.Content);
                reasoning.Append(delta.Reasoning);
                yield return delta;
            }
            var last = parser.Flush();
            if (!last.IsEmpty)
            {
                content.Append(last.Content);
                reasoning.Append(last.Reasoning);
                yield return last;
            }
            _history.Add(new ChatTemplateMessage("assistant", content.ToString()) { ReasoningContent = reasoning.Length > 0 ? reasoning.ToString() : null });
            LastTurn = stats;
            completed = true;
        }
        finally
        {
            if (!completed) _history.RemoveAt(_history.Count - 1);
        }
    }

    /// <summary>Sends a message and returns the whole reply's content (reasoning is in <see cref="History"/>).</summary>
    /// <exception cref="ContextOverflowException">The conversation no longer fits in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The chat session or the model was disposed.</exception>
    public async Task<string> SendAndWaitAsync(string userMessage, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var content = new StringBuilder();
        await foreach (var delta in SendAsync(userMessage, options, cancellationToken).ConfigureAwait(false)) content.Append(delta.Content);
        return content.ToString();
    }

    /// <summary>Forgets the conversation and the cache.</summary>
    /// <exception cref="ObjectDisposedException">The chat session was disposed.</exception>
    public void Reset()
    {
        ThrowIfDisposed();
        _history.Clear();
        _session.Reset();
        LastTurn = null;
    }

    /// <summary>Ends the conversation and its session. Idempotent.</summary>
    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
    }
}
