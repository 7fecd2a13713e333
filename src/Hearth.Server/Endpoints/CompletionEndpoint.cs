using System.Text.Json;
using Hearth.Server.Protocol;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary><c>POST /v1/completions</c>: continue a prompt (a string, an array holding one string, or token ids).</summary>
internal static class CompletionEndpoint
{
    public static async Task HandleAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.CompletionRequest);
        using var lease = await registry.AcquireAsync(body.Model, context.RequestAborted);
        var state = lease.State;
        if (body.Echo == true) throw ApiError.BadParam("echo", "'echo' is not supported.");
        int[] prompt = Prompt(body.Prompt, state);
        var sampling = RequestValidation.Sampling(body, state.Tokenizer.VocabSize);
        var stops = RequestValidation.Stops(body.Stop);
        int ctx = state.Pool.ContextSize;
        RequestValidation.CheckPromptFits(prompt.Length, ctx, "prompt");
        // OpenAI's legacy default for max_tokens is 16.
        int maxTokens = RequestValidation.MaxTokens(body.MaxTokens ?? 16, "max_tokens", prompt.Length, ctx);
        var options = new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling, StopStrings = stops };
        var shape = new CompletionShape(ServerState.NewId("cmpl-"), ServerState.Now(), state.ModelId);
        await GenerationResponder.RespondAsync(context, state, prompt, options, shape,
            body.Stream == true, body.StreamOptions?.IncludeUsage == true);
    }

    private static int[] Prompt(JsonElement? prompt, ServerState state)
    {
        if (prompt is not { } p || p.ValueKind == JsonValueKind.Null) throw ApiError.Missing("prompt");
        if (p.ValueKind == JsonValueKind.String) return state.Tokenize(p.GetString()!, "prompt");
        if (p.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam("prompt", $"'prompt' must be a string, an array of strings or an array of token ids, not {JsonBody.Describe(p.ValueKind)}.", "invalid_type");
        }
        int n = p.GetArrayLength();
        if (n == 0) throw ApiError.BadParam("prompt", "'prompt' is an empty array.");
        var first = p[0];
        if (first.ValueKind == JsonValueKind.String)
        {
            if (n != 1) throw ApiError.BadParam("prompt", $"Only one prompt per request is supported, got {n}.");
            return state.Tokenize(first.GetString()!, "prompt");
        }
        if (first.ValueKind == JsonValueKind.Array)
        {
            if (n != 1) throw ApiError.BadParam("prompt", $"Only one prompt per request is supported, got {n}.");
            return TokenIds(first, "prompt[0]", state.Tokenizer.VocabSize);
        }
        return TokenIds(p, "prompt", state.Tokenizer.VocabSize);
    }

    public static int[] TokenIds(JsonElement array, string param, int vocabSize)
    {
        var ids = new int[array.GetArrayLength()];
        if (ids.Length == 0) throw ApiError.BadParam(param, $"'{param}' is an empty array.");
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id))
            {
                throw ApiError.BadParam(param, $"'{param}' must hold token ids (integers); item {i} is {JsonBody.Describe(item.ValueKind)}.", "invalid_type");
            }
            if ((uint)id >= (uint)vocabSize) throw ApiError.BadParam(param, $"Token id {id} in '{param}' is outside the vocabulary (0..{vocabSize - 1}).");
            ids[i++] = id;
        }
        return ids;
    }
}
