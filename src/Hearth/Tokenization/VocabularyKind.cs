namespace Hearth.Tokenization;

/// <summary>The tokenizer algorithm a vocabulary uses (<c>tokenizer.ggml.model</c>).</summary>
internal enum VocabularyKind
{
    /// <summary><c>llama</c>: SentencePiece BPE by piece scores with byte fallback.</summary>
    SentencePiece,
    /// <summary><c>gpt2</c>: byte-level BPE by merge ranks after a regex pre-tokenizer.</summary>
    BytePairEncoding,
    /// <summary><c>bert</c>: WordPiece, longest match first.</summary>
    WordPiece,
    /// <summary><c>gemma4</c>: BPE by merge ranks over raw UTF-8 with '▁' for spaces and <c>&lt;0xXX&gt;</c> byte tokens.</summary>
    SpaceEscapedBpe,
    /// <summary><c>t5</c>: SentencePiece unigram (Viterbi over piece scores) after the precompiled character map.</summary>
    Unigram,
}
