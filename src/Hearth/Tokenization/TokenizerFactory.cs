using System.Text;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>Chooses the tokenizer implementation from <c>tokenizer.ggml.model</c> and reads its metadata.</summary>
internal static class TokenizerFactory
{
    public const string SupportedModels = "llama (SentencePiece), gpt2 (byte-level BPE), gemma4 (BPE over '▁'-escaped UTF-8), bert (WordPiece), t5 (SentencePiece unigram)";

    public static Tokenizer Create(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var meta = new GgufTokenizerMetadata(file);
        string model = meta.GetString("tokenizer.ggml.model") ?? throw new ModelConfigurationException(
            "The GGUF file has no tokenizer (tokenizer.ggml.model is missing).");
        var kind = KindOf(model);
        var tokens = file.GetValueOrNull("tokenizer.ggml.tokens") ?? throw new ModelConfigurationException(
            "The GGUF file has no vocabulary (tokenizer.ggml.tokens is missing).");
        if (tokens.Value is not string[] tokenStrings)
            throw new ModelConfigurationException($"tokenizer.ggml.tokens should be an array of strings but is {tokens.Type}/{tokens.ElementType}.");
        var texts = TextsOf(tokens, tokenStrings);
        float[]? scores = ReadArray<float>(file, "tokenizer.ggml.scores");
        int[]? types = ReadTypes(file);

        switch (kind)
        {
            case VocabularyKind.SentencePiece:
                return new SentencePieceTokenizer(new Vocabulary(kind, texts, tokenStrings, scores, types, meta, new VocabularyFlags
                {
                    Defaults = SpecialTokenIds.DefaultsFor(kind),
                    AddSpacePrefix = true,
                    AddBos = true,
                }));
            case VocabularyKind.WordPiece:
                return new WordPieceTokenizer(new Vocabulary(kind, texts, tokenStrings, scores, types, meta, new VocabularyFlags
                {
                    Defaults = SpecialTokenIds.DefaultsFor(kind),
                    AddBos = true,
                }));
            case VocabularyKind.Unigram:
                return new UnigramTokenizer(new Vocabulary(kind, texts, tokenStrings, scores, types, meta, new VocabularyFlags
                {
                    Defaults = SpecialTokenIds.DefaultsFor(kind),
                    AddEos = true,
                }), ReadCharsmap(file), meta.GetBool("tokenizer.ggml.remove_extra_whitespaces") ?? false);
            default:
                // llama.cpp gives every gemma4 vocabulary the gemma4 pre-tokenizer, whatever the file names.
                string? pre = kind == VocabularyKind.SpaceEscapedBpe ? "gemma4" : meta.GetString("tokenizer.ggml.pre");
                var preTokenizer = PreTokenizer.ForName(pre);
                var merges = file.GetValueOrNull("tokenizer.ggml.merges") ?? throw new ModelConfigurationException(
                    $"The {model} (BPE) vocabulary has no merges (tokenizer.ggml.merges is missing).");
                if (merges.Value is not string[] mergeStrings)
                    throw new ModelConfigurationException($"tokenizer.ggml.merges should be an array of strings but is {merges.Type}/{merges.ElementType}.");
                var vocab = new Vocabulary(kind, texts, tokenStrings, scores, types, meta, new VocabularyFlags
                {
                    Defaults = preTokenizer.AdjustDefaults(SpecialTokenIds.DefaultsFor(kind)),
                    AddBos = preTokenizer.AddBos,
                    IgnoreMerges = preTokenizer.IgnoreMerges,
                    AlwaysAddBos = preTokenizer.SpaceEscaped,
                });
                return new BpeTokenizer(vocab, BpeMerges.FromGguf(vocab, TextsOf(merges, mergeStrings)), preTokenizer, model);
        }
    }

    public static VocabularyKind KindOf(string model) => model switch
    {
        "llama" => VocabularyKind.SentencePiece,
        "gpt2" => VocabularyKind.BytePairEncoding,
        "gemma4" => VocabularyKind.SpaceEscapedBpe,
        "bert" => VocabularyKind.WordPiece,
        "t5" => VocabularyKind.Unigram,
        _ => throw new NotSupportedException($"Tokenizer model '{model}' (tokenizer.ggml.model) is not supported; supported models: {SupportedModels}."),
    };

    /// <summary>The exact bytes of each string: the file's own bytes where they are not valid UTF-8.</summary>
    private static byte[][] TextsOf(GgufValue value, string[] strings)
    {
        var raw = value.RawStringElements;
        var result = new byte[strings.Length][];
        for (int i = 0; i < strings.Length; i++) result[i] = raw?[i] ?? Encoding.UTF8.GetBytes(strings[i]);
        return result;
    }

    // tokenizer.ggml.precompiled_charsmap: an int8 or uint8 array (the bytes of SentencePiece's normaliser).
    private static byte[]? ReadCharsmap(GgufFile file)
    {
        var v = file.GetValueOrNull("tokenizer.ggml.precompiled_charsmap");
        return v?.Value switch
        {
            null => null,
            byte[] b => b,
            sbyte[] s => (byte[])(Array)s.Clone(),
            _ => throw new ModelConfigurationException($"tokenizer.ggml.precompiled_charsmap should be an array of int8 or uint8 but is {v.Type}/{v.ElementType}.", "tokenizer.ggml.precompiled_charsmap"),
        };
    }

    private static T[]? ReadArray<T>(GgufFile file, string key)
    {
        var v = file.GetValueOrNull(key);
        if (v == null) return null;
        return v.Value as T[] ?? throw new ModelConfigurationException($"{key} should be an array of {typeof(T).Name} but is {v.Type}/{v.ElementType}.");
    }

    private static int[]? ReadTypes(GgufFile file)
    {
        var v = file.GetValueOrNull("tokenizer.ggml.token_type");
        if (v == null) return null;
        return v.Value switch
        {
            int[] a => a,
            uint[] a => Array.ConvertAll(a, x => unchecked((int)x)),
            _ => throw new ModelConfigurationException($"tokenizer.ggml.token_type should be an array of int32 but is {v.Type}/{v.ElementType}."),
        };
    }
}
