using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>Scalar tokenizer settings (<c>tokenizer.ggml.*</c> keys), from a GGUF file or another source.</summary>
internal interface ITokenizerMetadata
{
    string? GetString(string key);

    long? GetInteger(string key);

    bool? GetBool(string key);
}

/// <summary><see cref="ITokenizerMetadata"/> over a GGUF file, with type errors that name the key.</summary>
internal sealed class GgufTokenizerMetadata(GgufFile file) : ITokenizerMetadata
{
    public string? GetString(string key)
    {
        var v = file.GetValueOrNull(key);
        if (v == null) return null;
        return v.Value as string ?? throw new InvalidDataException($"GGUF metadata '{key}' should be a string but is {v.Type}.");
    }

    public long? GetInteger(string key)
    {
        var v = file.GetValueOrNull(key);
        if (v == null) return null;
        try
        {
            return v.AsInt64();
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException)
        {
            throw new InvalidDataException($"GGUF metadata '{key}' should be an integer token id but is {v.Type}.", e);
        }
    }

    public bool? GetBool(string key)
    {
        var v = file.GetValueOrNull(key);
        if (v == null) return null;
        return v.Value is bool b ? b : throw new InvalidDataException($"GGUF metadata '{key}' should be a bool but is {v.Type}.");
    }
}

/// <summary><see cref="ITokenizerMetadata"/> over a plain dictionary (used by the tokenizer.json loader and tests).</summary>
internal sealed class DictionaryTokenizerMetadata(IReadOnlyDictionary<string, object> values) : ITokenizerMetadata
{
    public string? GetString(string key) => values.TryGetValue(key, out var v) ? (string)v : null;

    public long? GetInteger(string key) => values.TryGetValue(key, out var v) ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public bool? GetBool(string key) => values.TryGetValue(key, out var v) ? (bool)v : null;
}
