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

    /// <summary>Padding token id, or -1.</summary>
    public int PadId { get; protected init; } = -1;

    /// <summary>Unknown-token id, or -1.</summary>
    public int UnknownId { get; protected init; } = -1;

    /// <summary>The tokenizer model (<c>tokenizer.ggml.model</c>): <c>llama</c>, <c>gpt2</c> or <c>bert</c>.</summary>
    public string Model { get; protected init; } = string.Empty;

    /// <summary>The pre-tokenizer of a <c>gpt2</c> vocabulary (<c>tokenizer.ggml.pre</c>, "default" when absent); empty otherwise.</summary>
    public string PreTokenizer { get; protected init; } = string.Empty;

    /// <summary>Whether <see cref="Encode"/> with addSpecial adds BOS (<c>tokenizer.ggml.add_bos_token</c>).</summary>
    public bool AddBos { get; protected init; }

    /// <summary>Whether <see cref="Encode"/> with addSpecial adds EOS (<c>tokenizer.ggml.add_eos_token</c>).</summary>
    public bool AddEos { get; protected init; }

    /// <summary>Builds the tokenizer a GGUF file describes (model <c>llama</c>, <c>gpt2</c>, <c>bert</c>, ...).</summary>
    public static Tokenizer FromGguf(GgufFile file) => TokenizerFactory.Create(file);

    /// <summary>
    /// Builds a byte-level BPE tokenizer from a Hugging Face <c>tokenizer.json</c> (vocabulary, merges, added tokens and
    /// a Llama 3 or Qwen2 style split regex), tokenizing as llama.cpp does with the same vocabulary converted to GGUF.
    /// </summary>
    public static Tokenizer FromTokenizerJson(string path) => HuggingFaceTokenizerJson.Load(path);

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

    /// <summary>The token's kind (normal, control, user-defined, byte, ...) and special-token matching flags.</summary>
    public abstract TokenAttributes GetAttributes(int id);

    /// <summary>
    /// Detokenizes a whole sequence: the tokens' bytes joined and read as UTF-8. Control and unknown tokens render as
    /// nothing, and when the vocabulary adds a space prefix while encoding (SentencePiece) the first text token's
    /// leading space is removed, so <c>Decode(Encode(text)) == text</c> wherever the vocabulary can spell the text.
    /// Unlike llama.cpp's detokenizer this never applies the lossy "clean up tokenization spaces" rule.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids) => Decode(ids, renderSpecial: false);

    /// <summary>As <see cref="Decode(ReadOnlySpan{int})"/>; <paramref name="renderSpecial"/> writes control tokens' text too.</summary>
    public abstract string Decode(ReadOnlySpan<int> ids, bool renderSpecial);

    /// <summary>
    /// A decoder for generated tokens one at a time that returns text only once its UTF-8 is complete, holding back a
    /// multi-byte character split across tokens.
    /// </summary>
    public TokenStreamDecoder CreateStreamingDecoder(bool renderSpecial = false) => new(this, renderSpecial);
}
