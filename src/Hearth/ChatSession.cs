using System.Runtime.CompilerServices;
using System.Text;
using Hearth.Chat;
using Hearth.Inference;

namespace Hearth;

/// <summary>
/// A conversation with a model: the history is rendered with the model's chat template on every turn, and only the
/// tokens past the prefix already in the KV cache are evaluated, so earlier turns are not processed again. Replies are
/// streamed split into reasoning (<c>&lt;think&gt;…&lt;/think&gt;</c>) and content. Not thread-safe: one turn at a time.
/// </summary>
public sealed class ChatSession : IDisposable
{
    private readonly List<ChatTemplateMessage> _history = [];

    /// <summary>A conversation over a new session of <paramref name="contextSize"/> tokens (0 = the model's, at most 4096).</summary>
    /// <param name="model">The model to talk to.</param>
    /// <param name="template">The chat template; null uses the model's (ChatML when it has none).</param>
    /// <param name="contextSize">The KV cache size in tokens.</param>
    public ChatSession(Model model, ChatTemplate? template = null, int contextSize = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Template = template ?? ChatTemplate.FromGguf(model.File);
        Session = model.CreateSession(contextSize);
    }

    public Model Model { get; }

    /// <summary>The template the history is rendered with.</summary>
    public ChatTemplate Template { get; }

    /// <summary>The underlying session (its KV cache can be saved with <see cref="InferenceSession.SaveState"/>).</summary>
    public InferenceSession Session { get; }

    /// <summary>
    /// How much the model should reason, passed to the template as <c>reasoning_effort</c> (gpt-oss: <c>low</c>,
    /// <c>medium</c> — its default — or <c>high</c>); null leaves it to the template.
    /// </summary>
    public string? ReasoningEffort { get; set; }

    /// <summary>The messages so far, including the replies.</summary>
    public IReadOnlyList<ChatTemplateMessage> History => _history;

    /// <summary>What the last completed turn did; null before the first.</summary>
    public GenerationStats? LastTurn { get; private set; }

    /// <summary>Adds a message without generating (a system prompt, or a restored history).</summary>
    public void AddMessage(ChatTemplateMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _history.Add(message);
    }

    /// <summary>
    /// Adds the user's message and streams the reply, reasoning and content apart. When the reply completes it joins
    /// the history; if it is cancelled, the user's message is removed again.
    /// </summary>
    public async IAsyncEnumerable<ReasoningDelta> SendAsync(string userMessage, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userMessage);
        _history.Add(ChatTemplateMessage.User(userMessage));
        bool completed = false;
        try
        {
            var variables = ReasoningEffort is null ? null : new Dictionary<string, object?>(StringComparer.Ordinal) { ["reasoning_effort"] = ReasoningEffort };
            var prompt = ChatPrompt.Build(Model, Template, _history, variables: variables);
            var generator = Session.CreateGeneratorReusingPrefix(prompt.Tokens, options, cancellationToken);
            var parser = prompt.NewReasoningParser();
            var content = new StringBuilder();
            var reasoning = new StringBuilder();
            await foreach (var token in InferenceSession.Stream(generator, cancellationToken).ConfigureAwait(false))
            {
                var delta = parser.Push(token.Text);
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
            LastTurn = new GenerationStats(generator.FinishReason ?? FinishReason.Length, generator.PromptTokenCount, generator.ReusedPromptTokenCount, generator.GeneratedTokenCount);
            completed = true;
        }
        finally
        {
            if (!completed) _history.RemoveAt(_history.Count - 1);
        }
    }

    /// <summary>Sends a message and returns the whole reply's content (reasoning is in <see cref="History"/>).</summary>
    public async Task<string> SendAndWaitAsync(string userMessage, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var content = new StringBuilder();
        await foreach (var delta in SendAsync(userMessage, options, cancellationToken).ConfigureAwait(false)) content.Append(delta.Content);
        return content.ToString();
    }

    /// <summary>Forgets the conversation and the cache.</summary>
    public void Reset()
    {
        _history.Clear();
        Session.Reset();
        LastTurn = null;
    }

    public void Dispose() => Session.Dispose();
}
