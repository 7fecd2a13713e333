using Hearth.Server.Embeddings;
using Hearth.Server.Prompting;
using Hearth.Server.Scheduling;
using Hearth.Tokenization;

namespace Hearth.Server.Endpoints;

/// <summary>What the endpoints share: the model, its tokenizer, the scheduler and the served model's name.</summary>
internal sealed class ServerState : IDisposable
{
    public required Model Model { get; init; }

    public required Tokenizer Tokenizer { get; init; }

    public required Scheduler Scheduler { get; init; }

    public required IPromptFormatter Formatter { get; init; }

    public required MeanPoolEmbedder Embedder { get; init; }

    /// <summary>The id clients put in <c>model</c> (the file name without <c>.gguf</c> unless configured).</summary>
    public required string ModelId { get; init; }

    public required long Created { get; init; }

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

    /// <summary>Ends the scheduler (no request may be in flight) and unmaps the model.</summary>
    public void Dispose()
    {
        Scheduler.Dispose();
        Model.Dispose();
    }

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
