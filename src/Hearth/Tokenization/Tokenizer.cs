using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// Text to token ids and back, built from a GGUF file's <c>tokenizer.ggml.*</c> metadata, tokenizing exactly as llama.cpp.
/// </summary>
public abstract class Tokenizer
{
    /// <summary>Number of tokens in the vocabulary.</summary>
    public abstract int VocabSize { get; }

    /// <summary>Beginning-of-sequence token id, or -1.</summary>
    public int BosId { get; protected init; } = -1;

    /// <summary>End-of-sequence token id, or -1.</summary>
    public int EosId { get; protected init; } = -1;

    /// <summary>End-of-turn token id, or -1.</summary>
    public int EotId { get; protected init; } = -1;

    /// <summary>Whether <see cref="Encode"/> with addSpecial adds BOS (<c>tokenizer.ggml.add_bos_token</c>).</summary>
    public bool AddBos { get; protected init; }

    /// <summary>Whether <see cref="Encode"/> with addSpecial adds EOS (<c>tokenizer.ggml.add_eos_token</c>).</summary>
    public bool AddEos { get; protected init; }

    /// <summary>Builds the tokenizer a GGUF file describes (model <c>llama</c>, <c>gpt2</c>, <c>bert</c>, ...).</summary>
    public static Tokenizer FromGguf(GgufFile file) => TokenizerFactory.Create(file);

    /// <summary>
    /// Tokenizes <paramref name="text"/>. <paramref name="addSpecial"/> adds BOS/EOS as the vocabulary asks;
    /// <paramref name="parseSpecial"/> recognises control and user-defined token text (e.g. <c>&lt;|im_start|&gt;</c>).
    /// </summary>
    public abstract int[] Encode(string text, bool addSpecial = true, bool parseSpecial = false);

    /// <summary>The raw bytes a token stands for when detokenized (byte tokens become their byte, '▁' a space, ...).</summary>
    public abstract ReadOnlySpan<byte> TokenBytes(int id);

    /// <summary>The token's piece exactly as stored in the vocabulary.</summary>
    public abstract string TokenPiece(int id);

    /// <summary>Whether generation should stop at this token (EOS, EOT, or any end-of-generation token).</summary>
    public abstract bool IsEndOfGeneration(int id);

    /// <summary>Detokenizes a whole sequence.</summary>
    public abstract string Decode(ReadOnlySpan<int> ids);
}
