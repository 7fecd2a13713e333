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
    public string? GetString(string key) => file.GetString(key);

    public long? GetInteger(string key) => file.GetInt64(key);

    public bool? GetBool(string key)
    {
        var v = file.GetValueOrNull(key);
        if (v == null) return null;
        return v.Value is bool b ? b : throw v.WrongType(key, "a bool");
    }
}

/// <summary><see cref="ITokenizerMetadata"/> over a plain dictionary (used by the tokenizer.json loader and tests).</summary>
internal sealed class DictionaryTokenizerMetadata(IReadOnlyDictionary<string, object> values) : ITokenizerMetadata
{
    public string? GetString(string key) => values.TryGetValue(key, out var v) ? (string)v : null;

    public long? GetInteger(string key) => values.TryGetValue(key, out var v) ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public bool? GetBool(string key) => values.TryGetValue(key, out var v) ? (bool)v : null;
}
