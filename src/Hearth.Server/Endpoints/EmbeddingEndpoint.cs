using System.Runtime.InteropServices;
using System.Text.Json;
using Hearth.Server.Protocol;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary><c>POST /v1/embeddings</c>: mean-pooled, unit-length final hidden states (see <see cref="Model.Embed(string)"/>), computed on the model's engine thread.</summary>
internal static class EmbeddingEndpoint
{
    /// <summary>Inputs per request (OpenAI's limit is 2048).</summary>
    private const int MaxInputs = 2048;

    public static async Task HandleAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.EmbeddingRequest);
        using var lease = await registry.AcquireAsync(body.Model, context.RequestAborted);
        var state = lease.State;
        string format = body.EncodingFormat ?? "float";
        if (format is not ("float" or "base64"))
        {
            throw ApiError.BadParam("encoding_format", $"'encoding_format' must be 'float' or 'base64', got '{format}'.");
        }
        if (body.Dimensions is { } dims && dims != state.Model.EmbeddingDimensions)
        {
            throw ApiError.BadParam("dimensions", $"This model's embeddings have {state.Model.EmbeddingDimensions} dimensions; 'dimensions' = {dims} is not supported.");
        }
        var inputs = Inputs(body.Input, state);
        var vectors = new float[inputs.Count][];
        int total = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            RequestValidation.CheckPromptFits(inputs[i].Length, state.Pool.ContextSize, "input");
            total += inputs[i].Length;
        }
        try
        {
            for (int i = 0; i < inputs.Count; i++) vectors[i] = await state.Model.Engine.EmbedAsync(inputs[i], context.RequestAborted);
        }
        catch (ObjectDisposedException)
        {
            throw new ApiError(503, "The server is shutting down.");
        }
        var usage = new EmbeddingUsage { PromptTokens = total, TotalTokens = total };
        context.Response.ContentType = "application/json";
        if (format == "float")
        {
            var data = new List<EmbeddingItem>(vectors.Length);
            for (int i = 0; i < vectors.Length; i++) data.Add(new EmbeddingItem { Index = i, Embedding = vectors[i] });
            await JsonSerializer.SerializeAsync(context.Response.Body, new EmbeddingResponse { Data = data, Model = state.ModelId, Usage = usage },
                ServerJsonContext.Default.EmbeddingResponse, context.RequestAborted);
        }
        else
        {
            var data = new List<EmbeddingBase64Item>(vectors.Length);
            for (int i = 0; i < vectors.Length; i++)
            {
                // OpenAI's base64 encoding: the float32 values' little-endian bytes.
                byte[] bytes = MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray();
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("base64 embeddings need a little-endian machine.");
                data.Add(new EmbeddingBase64Item { Index = i, Embedding = Convert.ToBase64String(bytes) });
            }
            await JsonSerializer.SerializeAsync(context.Response.Body, new EmbeddingBase64Response { Data = data, Model = state.ModelId, Usage = usage },
                ServerJsonContext.Default.EmbeddingBase64Response, context.RequestAborted);
        }
    }

    private static List<int[]> Inputs(JsonElement? input, ServerState state)
    {
        if (input is not { } e || e.ValueKind == JsonValueKind.Null) throw ApiError.Missing("input");
        if (e.ValueKind == JsonValueKind.String) return [NonEmptyText(e, "input", state)];
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam("input", $"'input' must be a string, an array of strings or token ids, not {JsonBody.Describe(e.ValueKind)}.", "invalid_type");
        }
        int n = e.GetArrayLength();
        if (n == 0) throw ApiError.BadParam("input", "'input' is an empty array.");
        if (n > MaxInputs) throw ApiError.BadParam("input", $"'input' holds at most {MaxInputs} items, got {n}.");
        int vocab = state.Tokenizer.VocabSize;
        if (e[0].ValueKind == JsonValueKind.Number) return [CompletionEndpoint.TokenIds(e, "input", vocab)];
        var list = new List<int[]>(n);
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            string param = $"input[{i++}]";
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => NonEmptyText(item, param, state),
                JsonValueKind.Array => CompletionEndpoint.TokenIds(item, param, vocab),
                _ => throw ApiError.BadParam(param, $"'{param}' must be a string or an array of token ids, not {JsonBody.Describe(item.ValueKind)}.", "invalid_type"),
            });
        }
        return list;
    }

    private static int[] NonEmptyText(JsonElement e, string param, ServerState state)
    {
        string text = e.GetString()!;
        if (text.Length == 0) throw ApiError.BadParam(param, $"'{param}' is an empty string.");
        return state.Tokenize(text, param);
    }
}
