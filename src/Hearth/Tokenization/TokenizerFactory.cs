using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>Chooses the tokenizer implementation from <c>tokenizer.ggml.model</c>.</summary>
internal static class TokenizerFactory
{
    public static Tokenizer Create(GgufFile file)
    {
        string model = file.GetString("tokenizer.ggml.model") ?? throw new InvalidDataException(
            "The GGUF file has no tokenizer (tokenizer.ggml.model is missing).");
        throw new NotSupportedException($"Tokenizer model '{model}' is not supported yet.");
    }
}
