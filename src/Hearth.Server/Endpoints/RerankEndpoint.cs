using System.Text.Json;
using Hearth.Server.Protocol;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>
/// <c>POST /v1/rerank</c> (also <c>/rerank</c>, <c>/v1/reranking</c>): a reranking model's relevance score for each
/// document, in llama-server's (Jina/Cohere) shape: <c>results</c> of <c>{index, relevance_score}</c> from the most
/// relevant down, cut to <c>top_n</c>; scored on the model's engine thread.
/// </summary>
internal static class RerankEndpoint
{
    private const int MaxDocuments = 1024;

    public static async Task HandleAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.RerankRequest);
        if (body.Query is null) throw ApiError.Missing("query");
        var documents = Documents(body.Documents);
        if (body.TopN is < 1) throw ApiError.BadParam("top_n", $"'top_n' must be at least 1, got {body.TopN}.");
        using var lease = await registry.AcquireAsync(body.Model ?? registry.FirstId, context.RequestAborted);
        var state = lease.State;
        if (state.Model.Pooling != PoolingType.Rank)
        {
            throw ApiError.BadParam("model", $"The model '{state.ModelId}' is not a reranker (its pooling is '{state.Model.Pooling.ToString().ToLowerInvariant()}'); serve a reranking model (pooling 'rank').", "model_not_reranker");
        }
        int tokens = 0;
        int queryTokens = state.Tokenizer.Encode(body.Query, addSpecial: false).Length;
        foreach (string d in documents)
        {
            int n = queryTokens + state.Tokenizer.Encode(d, addSpecial: false).Length;
            RequestValidation.CheckPromptFits(n, state.Model.Config.ContextLength, "documents");
            tokens += n;
        }
        float[] scores = await state.Model.Engine.RerankAsync(body.Query, documents, context.RequestAborted);
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]) is var c && c != 0 ? c : a.CompareTo(b));
        int top = Math.Min(body.TopN ?? order.Length, order.Length);

        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("model", state.ModelId);
        json.WriteString("object", "list");
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", tokens);
        json.WriteNumber("total_tokens", tokens);
        json.WriteEndObject();
        json.WriteStartArray("results");
        for (int r = 0; r < top; r++)
        {
            int i = order[r];
            json.WriteStartObject();
            json.WriteNumber("index", i);
            json.WriteNumber("relevance_score", scores[i]);
            if (body.ReturnDocuments == true)
            {
                json.WriteStartObject("document");
                json.WriteString("text", documents[i]);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static List<string> Documents(JsonElement? documents)
    {
        if (documents is not { } d || d.ValueKind == JsonValueKind.Null) throw ApiError.Missing("documents");
        if (d.ValueKind != JsonValueKind.Array) throw ApiError.BadParam("documents", $"'documents' must be an array of strings, not {JsonBody.Describe(d.ValueKind)}.", "invalid_type");
        int count = d.GetArrayLength();
        if (count == 0) throw ApiError.BadParam("documents", "'documents' is empty; give at least one document.");
        if (count > MaxDocuments) throw ApiError.BadParam("documents", $"'documents' holds {count} documents; at most {MaxDocuments} per request.");
        var list = new List<string>(count);
        int k = 0;
        foreach (var e in d.EnumerateArray())
        {
            string param = $"documents[{k++}]";
            if (e.ValueKind == JsonValueKind.String) list.Add(e.GetString()!);
            else if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) list.Add(t.GetString()!);
            else throw ApiError.BadParam(param, $"'{param}' must be a string (or an object with a 'text' string).", "invalid_type");
        }
        return list;
    }
}
