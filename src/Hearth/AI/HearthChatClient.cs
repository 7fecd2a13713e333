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
/// format (JSON, JSON schema: grammar-constrained). <see cref="ChatOptions.Tools"/> (functions) are rendered through the
/// chat template and the reply is parsed in the template's tool-call format into <see cref="FunctionCallContent"/>
/// (finish reason ToolCalls); <see cref="ChatToolMode.RequireAny"/> and <see cref="ChatToolMode.RequireSpecific"/>
/// constrain generation so the reply is a call with arguments valid for the function's schema, and
/// <see cref="ChatToolMode.None"/> leaves the tools out of the prompt. Incoming <see cref="FunctionCallContent"/> and
/// <see cref="FunctionResultContent"/> become the template's assistant tool calls and tool messages. The client keeps
/// no conversation state of its own, so responses carry no <see cref="ChatResponse.ConversationId"/>: the caller
/// sends the whole history each turn, and <see cref="ChatOptions.ConversationId"/> is only a hint for cache reuse.
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

    /// <summary>The rendered prompt of the most recent request (for tests of what reached the template).</summary>
    internal string? LastPromptText { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, generation, tools) = Prepare(messages, options);
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

            var split = prompt.Split(text);
            string content = split.Content;
            IReadOnlyList<ChatTemplateToolCall> calls = [];
            if (tools.NewParser(_template) is { } parser)
            {
                parser.Push(content);
                parser.Finish();
                (content, calls) = (parser.Result.Content, parser.Result.ToolCalls);
            }
            var message = new ChatMessage(ChatRole.Assistant, []);
            if (split.Reasoning.Length > 0) message.Contents.Add(new TextReasoningContent(split.Reasoning));
            if (content.Length > 0 || calls.Count == 0) message.Contents.Add(new TextContent(content));
            foreach (var call in calls) message.Contents.Add(ChatMessageMapping.ToFunctionCall(call));
            return new ChatResponse(message)
            {
                ModelId = ModelId,
                ResponseId = NewId(),
                CreatedAt = DateTimeOffset.UtcNow,
                FinishReason = FinishReason(generator, calls.Count > 0),
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
        var (prompt, generation, tools) = Prepare(messages, options);
        var entry = await _pool.RentAsync(prompt.Tokens, options?.ConversationId, cancellationToken).ConfigureAwait(false);
        try
        {
            var generator = entry.Session.CreateGeneratorReusingPrefix(prompt.Tokens, generation, cancellationToken);
            string responseId = NewId();
            var created = DateTimeOffset.UtcNow;
            var parser = prompt.NewReasoningParser();
            var calls = new StreamedToolCalls(tools.NewParser(_template));
            await foreach (var token in InferenceSession.Stream(generator, cancellationToken).ConfigureAwait(false))
            {
                var delta = calls.Push(parser.Push(token.Text));
                if (!delta.IsEmpty) yield return Update(delta, responseId, created);
            }
            var last = calls.Finish(parser.Flush());
            if (!last.IsEmpty) yield return Update(last, responseId, created);
            entry.ConversationId = options?.ConversationId;
            LastEvaluatedPromptTokens = prompt.Tokens.Length - generator.ReusedPromptTokenCount;
            // Calls are sent whole once generation ends (as Microsoft.Extensions.AI's own OpenAI client does), since a
            // FunctionCallContent cannot be merged from pieces.
            var finalContents = new List<AIContent>(calls.Completed.Count + 1);
            foreach (var call in calls.Completed) finalContents.Add(ChatMessageMapping.ToFunctionCall(call));
            finalContents.Add(new UsageContent(Usage(generator)));
            yield return new ChatResponseUpdate(ChatRole.Assistant, finalContents)
            {
                ResponseId = responseId,
                MessageId = responseId,
                CreatedAt = created,
                ModelId = ModelId,
                FinishReason = FinishReason(generator, calls.Completed.Count > 0),
            };
        }
        finally
        {
            _pool.Return(entry);
        }
    }

    /// <summary>A reply that called tools and ended on its own ends with ToolCalls; cut off by the limit it stays Length.</summary>
    private static ChatFinishReason FinishReason(TokenGenerator generator, bool calledTools)
    {
        var reason = ChatMessageMapping.ToFinishReason(generator.FinishReason);
        return calledTools && reason == ChatFinishReason.Stop ? ChatFinishReason.ToolCalls : reason;
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

    private (ChatPrompt Prompt, GenerationOptions Generation, ChatToolSetup Tools) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var tools = ChatToolSetup.Of(options, _template);
        var list = ChatToolSetup.WithToolInstructions(ChatMessageMapping.ToTemplateMessages(messages, options), _template, tools.Tools);
        var generation = ChatMessageMapping.ToGenerationOptions(options, _options.DefaultMaxOutputTokens);
        var prompt = ChatPrompt.Build(_model, _template, list, tools.Tools, ChatMessageMapping.TemplateVariables(options));
        // A forced call's grammar wins over the response format: the reply must be the call.
        if (tools.ForcingGrammar(prompt.OpensReasoning) is { } grammar) generation = generation with { Sampling = generation.Sampling with { Grammar = grammar } };
        LastPromptText = prompt.Text;
        return (prompt, generation, tools);
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
