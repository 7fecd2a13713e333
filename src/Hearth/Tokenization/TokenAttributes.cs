namespace Hearth.Tokenization;

/// <summary>
/// What kind of token an id is and how special-token matching treats it. The kind comes from
/// <c>tokenizer.ggml.token_type</c> (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte; anything else
/// undefined); the strip flags are llama.cpp's per-model adjustments.
/// </summary>
[Flags]
public enum TokenAttributes
{
    /// <summary>No attribute.</summary>
    None = 0,
    /// <summary>Token type not given by the file.</summary>
    Undefined = 1 << 0,
    /// <summary>The unknown token (<c>&lt;unk&gt;</c>).</summary>
    Unknown = 1 << 1,
    /// <summary>Unused (reserved) token.</summary>
    Unused = 1 << 2,
    /// <summary>Ordinary text token.</summary>
    Normal = 1 << 3,
    /// <summary>Control token (BOS, EOS, chat markers): matched in text only when parsing special tokens, rendered only on request.</summary>
    Control = 1 << 4,
    /// <summary>User-defined (added) token: always matched in text before the model's own splitting.</summary>
    UserDefined = 1 << 5,
    /// <summary>SentencePiece byte-fallback token <c>&lt;0xXX&gt;</c>.</summary>
    Byte = 1 << 6,
    /// <summary>When matched as a special token, whitespace to its left is dropped.</summary>
    LStrip = 1 << 8,
    /// <summary>When matched as a special token, whitespace to its right is dropped.</summary>
    RStrip = 1 << 9,
}
