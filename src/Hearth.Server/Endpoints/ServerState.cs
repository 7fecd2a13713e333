using Hearth.Chat;
using Hearth.Inference;
using Hearth.Server.Metrics;
using Hearth.Tokenization;

namespace Hearth.Server.Endpoints;

/// <summary>What the endpoints share for one served model: the model, its tokenizer and template, the slot pool and its name.</summary>
internal sealed class ServerState : IDisposable
{
    public required Model Model { get; init; }

    public required Tokenizer Tokenizer { get; init; }

    /// <summary>The server's slots on the model's engine.</summary>
    public required SlotPool Pool { get; init; }

    /// <summary>The chat template (it also decides the tool-call format replies are parsed in).</summary>
    public required ChatTemplate Template { get; init; }

    public required ServerMetrics Metrics { get; init; }

    /// <summary>The id clients put in <c>model</c> (the file name without <c>.gguf</c> unless configured).</summary>
    public required string ModelId { get; init; }

    public required long Created { get; init; }

    /// <summary>The most calls a forced parallel tool-call reply may hold.</summary>
    public int MaxParallelToolCalls { get; init; } = Hearth.Chat.ToolCalls.ToolCallGrammar.DefaultMaxCalls;

    /// <summary>Whether the chat template knows reasoning blocks (mentions <c>&lt;think&gt;</c> or <c>[THINK]</c>).</summary>
    public bool TemplateReasons { get; init; }


    /// <summary>Tokenizes as llama.cpp's server does (BOS as the vocabulary asks, special tokens recognised); never empty.</summary>
    public int[] Tokenize(string text, string param)
    {
        int[] tokens = Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        if (tokens.Length > 0) return tokens;
        if (Tokenizer.BosId >= 0) return [Tokenizer.BosId];
        throw ApiError.BadParam(param, $"'{param}' is empty and the model has no BOS token to start from.");
    }

    /// <summary>Ends the slot pool (requests in flight end), stops the metrics and unmaps the model.</summary>
    public void Dispose()
    {
        Pool.Dispose();
        Metrics.Dispose();
        Model.Dispose();
    }

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>The OpenAI word for a finish reason: "length" when a limit cut the output, "stop" otherwise.</summary>
    public static string FinishWord(FinishReason reason) =>
        reason is FinishReason.Length or FinishReason.ContextFull ? "length" : "stop";
}
