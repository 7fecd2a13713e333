using System.Runtime.CompilerServices;
using System.Text;
using Hearth.Chat;
using Hearth.Inference;
using Microsoft.Extensions.AI;

namespace Hearth.AI;

/// <summary>
/// <see cref="IChatClient"/> over a local model. Thread-safe: concurrent requests run on a pool of sessions
/// (<see cref="HearthChatClientOptions.MaxSessions"/>), their forward passes serialised on the model. A request takes
/// the session whose KV cache shares the longest token prefix with its rendered conversation (or that last served its
/// <see cref="ChatOptions.ConversationId"/>) and evaluates only the rest, so a conversation's history is not processed
/// again each turn. Maps temperature, top-p, top-k, max output tokens, stop sequences, seed, penalties and the response
/// format (JSON, JSON schema: grammar-constrained). Tools are not yet supported.
/// </summary>
public sealed class HearthChatClient : IChatClient
{
    private readonly Model _model;
    private readonly HearthChatClientOptions _options;
    private readonly ChatTemplate _template;
    private readonly SessionPool _pool;
    private readonly ChatClientMetadata _metadata;

    public HearthChatClient(Model model, HearthChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new HearthChatClientOptions();
        _template = _options.Template ?? ChatTemplate.FromGguf(model.File);
        _pool = new SessionPool(model, _options.MaxSessions, _options.ContextSize);
        ModelId = _options.ModelId ?? model.Config.Name ?? model.Config.Architecture;
        _metadata = new ChatClientMetadata("hearth", null, ModelId);
    }

    /// <summary>The model id reported in responses.</summary>
    public string ModelId { get; }

    /// <summary>Prompt tokens evaluated by the most recent request (the rest were reused from a cached session).</summary>
    internal int LastEvaluatedPromptTokens { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, generation) = Prepare(messages, options);
        var entry = await _pool.RentAsync(prompt.Tokens, options?.ConversationId, cancellationToken).ConfigureAwait(false);
        try
        {
            var generator = entry.Session.CreateGeneratorReusingPrefix(prompt.Tokens, generation, cancellationToken);
            var text = await Task.Run(() =>
            {
                var sb = new StringBuilder();
                while (generator.MoveNext()) sb.Append(generator.CurrentText);
                return sb.ToString();
            }, cancellationToken).ConfigureAwait(false);
            entry.ConversationId = options?.ConversationId;
            LastEvaluatedPromptTokens = prompt.Tokens.Length - generator.ReusedPromptTokenCount;

            var split = ReasoningParser.Split(text, prompt.OpensReasoning);
            var message = new ChatMessage(ChatRole.Assistant, []);
            if (split.Reasoning.Length > 0) message.Contents.Add(new TextReasoningContent(split.Reasoning));
            message.Contents.Add(new TextContent(split.Content));
            return new ChatResponse(message)
            {
                ModelId = ModelId,
                ResponseId = NewId(),
                CreatedAt = DateTimeOffset.UtcNow,
                FinishReason = ChatMessageMapping.ToFinishReason(generator.FinishReason),
                Usage = Usage(generator),
            };
        }
        finally
        {
            _pool.Return(entry);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, generation) = Prepare(messages, options);
        var entry = await _pool.RentAsync(prompt.Tokens, options?.ConversationId, cancellationToken).ConfigureAwait(false);
        try
        {
            var generator = entry.Session.CreateGeneratorReusingPrefix(prompt.Tokens, generation, cancellationToken);
            string responseId = NewId();
            var created = DateTimeOffset.UtcNow;
            var parser = new ReasoningParser(prompt.OpensReasoning);
            await foreach (var token in InferenceSession.Stream(generator, cancellationToken).ConfigureAwait(false))
            {
                var delta = parser.Push(token.Text);
                if (!delta.IsEmpty) yield return Update(delta, responseId, created);
            }
            var last = parser.Flush();
            if (!last.IsEmpty) yield return Update(last, responseId, created);
            entry.ConversationId = options?.ConversationId;
            LastEvaluatedPromptTokens = prompt.Tokens.Length - generator.ReusedPromptTokenCount;
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(generator))])
            {
                ResponseId = responseId,
                MessageId = responseId,
                CreatedAt = created,
                ModelId = ModelId,
                FinishReason = ChatMessageMapping.ToFinishReason(generator.FinishReason),
            };
        }
        finally
        {
            _pool.Return(entry);
        }
    }

    private ChatResponseUpdate Update(ReasoningDelta delta, string responseId, DateTimeOffset created)
    {
        var contents = new List<AIContent>(2);
        if (delta.Reasoning.Length > 0) contents.Add(new TextReasoningContent(delta.Reasoning));
        if (delta.Content.Length > 0) contents.Add(new TextContent(delta.Content));
        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = responseId,
            MessageId = responseId,
            CreatedAt = created,
            ModelId = ModelId,
        };
    }

    private (ChatPrompt Prompt, GenerationOptions Generation) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var list = ChatMessageMapping.ToTemplateMessages(messages, options);
        var generation = ChatMessageMapping.ToGenerationOptions(options, _options.DefaultMaxOutputTokens);
        return (ChatPrompt.Build(_model, _template, list), generation);
    }

    private static UsageDetails Usage(TokenGenerator g) => new()
    {
        InputTokenCount = g.PromptTokenCount,
        OutputTokenCount = g.GeneratedTokenCount,
        TotalTokenCount = g.PromptTokenCount + g.GeneratedTokenCount,
        CachedInputTokenCount = g.ReusedPromptTokenCount,
    };

    private static string NewId() => "hearth-" + Guid.NewGuid().ToString("N");

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey != null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType == typeof(Model)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        _pool.Dispose();
        if (_options.OwnsModel) _model.Dispose();
    }
}
