using System.Runtime.CompilerServices;
using System.Text;
using Hearth.Chat;
using Hearth.Inference;
using Microsoft.Extensions.AI;

namespace Hearth.AI;

/// <summary>
/// <see cref="IChatClient"/> over a local model. Thread-safe: concurrent requests run on a <see cref="SlotPool"/> of
/// <see cref="HearthChatClientOptions.MaxSessions"/> sequences on the model's <see cref="InferenceEngine"/>, decoded
/// together in one batched forward pass per token (continuous batching, as the server does). A request takes the slot
/// whose KV cache shares the longest token prefix with its rendered conversation and evaluates only the rest, so a
/// conversation's history is not processed again each turn. Maps temperature, top-p, top-k, max output tokens, stop sequences, seed, penalties and the response
/// format (JSON, JSON schema: grammar-constrained), and a token logit bias given as
/// <c>AdditionalProperties["logit_bias"]</c> (an <c>IReadOnlyDictionary&lt;int, float&gt;</c>). <see cref="ChatOptions.Tools"/> (functions) are rendered through the
/// chat template and the reply is parsed in the template's tool-call format into <see cref="FunctionCallContent"/>
/// (finish reason ToolCalls); <see cref="ChatToolMode.RequireAny"/> and <see cref="ChatToolMode.RequireSpecific"/>
/// constrain generation so the reply is a call with arguments valid for the function's schema, and
/// <see cref="ChatToolMode.None"/> leaves the tools out of the prompt. Incoming <see cref="FunctionCallContent"/> and
/// <see cref="FunctionResultContent"/> become the template's assistant tool calls and tool messages. The client keeps
/// no conversation state of its own, so responses carry no <see cref="ChatResponse.ConversationId"/>: the caller
/// sends the whole history each turn.
/// </summary>
public sealed class HearthChatClient : IChatClient
{
    private readonly Model _model;
    private readonly HearthChatClientOptions _options;
    private readonly ChatTemplate _template;
    private readonly SlotPool _pool;
    private readonly ChatClientMetadata _metadata;
    private bool _disposed;

    /// <summary>A client over <paramref name="model"/>; its slots are created at once (each a KV cache).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="HearthChatClientOptions.MaxSessions"/> is under 1.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public HearthChatClient(Model model, HearthChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new HearthChatClientOptions();
        if (_options.MaxSessions < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.MaxSessions, "MaxSessions must be at least 1.");
        _template = _options.Template ?? ChatTemplate.FromGguf(model.File);
        _pool = model.Engine.CreateSlotPool(_options.MaxSessions, _options.ContextSize);
        ModelId = _options.ModelId ?? model.Config.Name ?? model.Config.Architecture;
        _metadata = new ChatClientMetadata("hearth", null, ModelId);
    }

    /// <summary>The model id reported in responses.</summary>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public string ModelId
    {
        get
        {
            ThrowIfDisposed();
            return field;
        }
    }

    /// <summary>Prompt tokens evaluated by the most recent request (the rest were reused from a cached session).</summary>
    internal int LastEvaluatedPromptTokens { get; private set; }

    /// <summary>The rendered prompt of the most recent request (for tests of what reached the template).</summary>
    internal string? LastPromptText { get; private set; }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The client or the model was disposed (also while generating).</exception>
    /// <exception cref="ContextOverflowException">The conversation does not fit in a slot's context.</exception>
    /// <exception cref="JinjaException">The chat template cannot render these messages.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var (prompt, generationOptions, tools) = Prepare(messages, options);
        var generation = Submit(prompt, generationOptions);
        var text = new StringBuilder();
        GenerationStats stats = default;
        await foreach (var update in generation.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            if (update.Finished is { } f) stats = f;
        }
        LastEvaluatedPromptTokens = stats.PromptTokens - stats.ReusedPromptTokens;

        var split = prompt.Split(text.ToString());
        string content = split.Content;
        IReadOnlyList<ChatTemplateToolCall> calls = [];
        if (tools.NewParser(_template) is { } parser)
        {
            parser.Push(content);
            parser.Finish();
            (content, calls) = (parser.Result.Content, parser.Result.ToolCalls);
        }
        string responseId = NewId();
        var message = new ChatMessage(ChatRole.Assistant, []) { MessageId = responseId };
        if (split.Reasoning.Length > 0) message.Contents.Add(new TextReasoningContent(split.Reasoning));
        if (content.Length > 0 || calls.Count == 0) message.Contents.Add(new TextContent(content));
        foreach (var call in calls) message.Contents.Add(ChatMessageMapping.ToFunctionCall(call));
        return new ChatResponse(message)
        {
            ModelId = ModelId,
            ResponseId = responseId,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = ToFinishReason(stats.FinishReason, calls.Count > 0),
            Usage = Usage(stats),
        };
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The client or the model was disposed (also while streaming).</exception>
    /// <exception cref="ContextOverflowException">The conversation does not fit in a slot's context.</exception>
    /// <exception cref="JinjaException">The chat template cannot render these messages.</exception>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var (prompt, generationOptions, tools) = Prepare(messages, options);
        var generation = Submit(prompt, generationOptions);
        string responseId = NewId();
        var created = DateTimeOffset.UtcNow;
        var parser = prompt.NewReasoningParser();
        var calls = new StreamedToolCalls(tools.NewParser(_template));
        GenerationStats stats = default;
        await foreach (var update in generation.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (update.Finished is { } f) stats = f;
            if (update.Text.Length == 0) continue;
            var delta = calls.Push(parser.Push(update.Text));
            if (!delta.IsEmpty) yield return Update(delta, responseId, created);
        }
        var last = calls.Finish(parser.Flush());
        if (!last.IsEmpty) yield return Update(last, responseId, created);
        LastEvaluatedPromptTokens = stats.PromptTokens - stats.ReusedPromptTokens;
        // Calls are sent whole once generation ends (as Microsoft.Extensions.AI's own OpenAI client does), since a
        // FunctionCallContent cannot be merged from pieces.
        var finalContents = new List<AIContent>(calls.Completed.Count + 1);
        foreach (var call in calls.Completed) finalContents.Add(ChatMessageMapping.ToFunctionCall(call));
        finalContents.Add(new UsageContent(Usage(stats)));
        yield return new ChatResponseUpdate(ChatRole.Assistant, finalContents)
        {
            ResponseId = responseId,
            MessageId = responseId,
            CreatedAt = created,
            ModelId = ModelId,
            FinishReason = ToFinishReason(stats.FinishReason, calls.Completed.Count > 0),
        };
    }

    private Generation Submit(ChatPrompt prompt, GenerationOptions options) =>
        _pool.TrySubmit(prompt.Tokens, options) ?? throw new InvalidOperationException("The client's queue is full."); // unbounded: not reached

    /// <summary>A reply that called tools and ended on its own ends with ToolCalls; cut off by the limit it stays Length.</summary>
    private static ChatFinishReason ToFinishReason(FinishReason reason, bool calledTools)
    {
        var mapped = ChatMessageMapping.ToFinishReason(reason);
        return calledTools && mapped == ChatFinishReason.Stop ? ChatFinishReason.ToolCalls : mapped;
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
        var tools = ChatToolSetup.Of(options, _template, _options.MaxParallelToolCalls);
        var list = ChatMessageMapping.ToTemplateMessages(messages, options);
        var generation = ChatMessageMapping.ToGenerationOptions(options, _options.DefaultMaxOutputTokens);
        var prompt = ChatPrompt.Build(_model, _template, list, tools.Tools, ChatMessageMapping.TemplateVariables(options));
        // A forced call's grammar wins over the response format: the reply must be the call.
        if (tools.ForcingGrammar(prompt.OpensReasoning) is { } grammar) generation = generation with { Sampling = generation.Sampling with { Grammar = grammar } };
        LastPromptText = prompt.Text;
        return (prompt, generation, tools);
    }

    private static UsageDetails Usage(GenerationStats s) => new()
    {
        InputTokenCount = s.PromptTokens,
        OutputTokenCount = s.GeneratedTokens,
        TotalTokenCount = s.PromptTokens + s.GeneratedTokens,
        CachedInputTokenCount = s.ReusedPromptTokens,
    };

    private static string NewId() => "hearth-" + Guid.NewGuid().ToString("N");

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        ThrowIfDisposed();
        if (serviceKey != null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType == typeof(Model)) return _model;
        if (serviceType == typeof(InferenceEngine)) return _model.Engine;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Ends the client's requests and frees its slots (and the model when <see cref="HearthChatClientOptions.OwnsModel"/>). Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _pool.Dispose();
        if (_options.OwnsModel) _model.Dispose();
    }
}
