using System.Globalization;
using System.Text.Json;
using Hearth.Server.Protocol;
using Hearth.Sampling;

namespace Hearth.Server.Endpoints;

/// <summary>Checks the fields shared by chat and text completions and turns them into engine settings.</summary>
internal static class RequestValidation
{
    /// <summary>OpenAI's limit on stop sequences.</summary>
    private const int MaxStops = 4;

    public static SamplerOptions Sampling(SamplingRequestFields r, int vocabSize)
    {
        if (r.N is { } n && n != 1) throw ApiError.BadParam("n", $"Only n=1 is supported, got {n}.");
        Range("temperature", r.Temperature, 0, 2);
        Range("top_p", r.TopP, 0, 1);
        Range("presence_penalty", r.PresencePenalty, -2, 2);
        Range("frequency_penalty", r.FrequencyPenalty, -2, 2);
        Dictionary<int, float>? bias = null;
        if (r.LogitBias is { Count: > 0 })
        {
            bias = [];
            foreach (var (key, value) in r.LogitBias)
            {
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= vocabSize)
                {
                    throw ApiError.BadParam("logit_bias", $"logit_bias key '{key}' is not a token id of this model (0..{vocabSize - 1}).");
                }
                if (!(value >= -100 && value <= 100)) throw ApiError.BadParam("logit_bias", $"logit_bias value {value} for token {id} is outside [-100, 100].");
                bias[id] = value;
            }
        }
        // OpenAI's sampling: temperature (default 1) and nucleus top_p only; its penalties count every generated token.
        return new SamplerOptions
        {
            Temperature = r.Temperature ?? 1f,
            TopP = Math.Max(r.TopP ?? 1f, 1e-6f), // top_p 0 means "only the most likely token"; the chain needs P > 0
            TopK = 0,
            MinP = 0,
            Seed = r.Seed is { } s ? unchecked((ulong)s) : null,
            PresencePenalty = r.PresencePenalty ?? 0,
            FrequencyPenalty = r.FrequencyPenalty ?? 0,
            PenaltyLastN = -1,
            LogitBias = bias,
        };
    }

    /// <summary>The token limit: the request's, else whatever the context leaves.</summary>
    public static int MaxTokens(int? maxTokens, string param, int promptTokens, int contextSize)
    {
        int room = contextSize - promptTokens + 1; // the last token is sampled, not evaluated
        if (maxTokens is { } m)
        {
            if (m < 1) throw ApiError.BadParam(param, $"'{param}' must be at least 1, got {m}.");
            return Math.Min(m, room);
        }
        return room;
    }

    public static void CheckPromptFits(int promptTokens, int contextSize, string param)
    {
        if (promptTokens > contextSize)
        {
            throw new ApiError(400, $"This model's maximum context length is {contextSize} tokens. However, your request has " +
                $"{promptTokens} prompt tokens. Please shorten the {param}.", param, "context_length_exceeded");
        }
    }

    public static IReadOnlyList<string> Stops(JsonElement? stop)
    {
        if (stop is not { } e || e.ValueKind == JsonValueKind.Null) return [];
        if (e.ValueKind == JsonValueKind.String) return NonEmpty(e.GetString()!);
        if (e.ValueKind != JsonValueKind.Array) throw ApiError.BadParam("stop", $"'stop' must be a string or an array of strings, not {JsonBody.Describe(e.ValueKind)}.", "invalid_type");
        if (e.GetArrayLength() > MaxStops) throw ApiError.BadParam("stop", $"'stop' holds at most {MaxStops} strings, got {e.GetArrayLength()}.");
        var list = new List<string>();
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiError.BadParam("stop", $"'stop' must be an array of strings; it holds {JsonBody.Describe(item.ValueKind)}.", "invalid_type");
            list.AddRange(NonEmpty(item.GetString()!));
        }
        return list;
    }

    public static string[] NonEmpty(string s) => s.Length == 0 ? [] : [s];

    public static void Range(string param, float? value, float min, float max)
    {
        if (value is { } v && !(v >= min && v <= max))
        {
            throw ApiError.BadParam(param, $"'{param}' must be between {min} and {max}, got {v.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
