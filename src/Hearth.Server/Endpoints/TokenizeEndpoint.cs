using System.Text;
using System.Text.Json;
using Hearth.Server.Protocol;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>
/// llama-server's <c>POST /tokenize</c> (<c>{"tokens": [ids]}</c>, or <c>[{"id", "piece"}]</c> with <c>with_pieces</c>; a
/// piece that is not whole UTF-8 is given as its byte values) and <c>POST /detokenize</c> (<c>{"content"}</c>, special
/// tokens rendered). Both use the model a request names, else the first served one.
/// </summary>
internal static class TokenizeEndpoint
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static async Task TokenizeAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.TokenizeRequest);
        if (body.Content is null) throw ApiError.Missing("content");
        using var lease = await registry.AcquireAsync(body.Model ?? registry.FirstId, context.RequestAborted);
        var tokenizer = lease.State.Tokenizer;
        int[] ids = tokenizer.Encode(body.Content, body.AddSpecial ?? false, body.ParseSpecial ?? true);
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteStartArray("tokens");
        foreach (int id in ids)
        {
            if (body.WithPieces != true)
            {
                json.WriteNumberValue(id);
                continue;
            }
            json.WriteStartObject();
            json.WriteNumber("id", id);
            var bytes = tokenizer.TokenBytes(id);
            string? text = null;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                // A byte-fallback token or half of a multi-byte character: its bytes, as llama-server gives them.
            }
            if (text != null)
            {
                json.WriteString("piece", text);
            }
            else
            {
                json.WriteStartArray("piece");
                foreach (byte b in bytes) json.WriteNumberValue(b);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    public static async Task DetokenizeAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.DetokenizeRequest);
        if (body.Tokens is null) throw ApiError.Missing("tokens");
        using var lease = await registry.AcquireAsync(body.Model ?? registry.FirstId, context.RequestAborted);
        var tokenizer = lease.State.Tokenizer;
        for (int i = 0; i < body.Tokens.Count; i++)
        {
            if ((uint)body.Tokens[i] >= (uint)tokenizer.VocabSize)
            {
                throw ApiError.BadParam($"tokens[{i}]", $"'tokens[{i}]' = {body.Tokens[i]} is not a token id of this model (0 to {tokenizer.VocabSize - 1}).");
            }
        }
        var content = tokenizer.Decode(body.Tokens.ToArray(), renderSpecial: true);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new DetokenizeResponse { Content = content }, ServerJsonContext.Default.DetokenizeResponse, context.RequestAborted);
    }
}
