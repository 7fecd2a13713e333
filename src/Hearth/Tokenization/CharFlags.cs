using System.Globalization;

namespace Hearth.Tokenization;

/// <summary>
/// The character classes pre-tokenizer patterns test (regex <c>\p{N}</c>, <c>\p{L}</c>, <c>\p{P}</c>, <c>\s</c>, ...):
/// the Unicode general category of a code point, plus the Unicode White_Space property (the same set llama.cpp's
/// tables use: U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
/// </summary>
[Flags]
internal enum CharFlags : ushort
{
    None = 0,
    Undefined = 1 << 0,
    Number = 1 << 1,
    Letter = 1 << 2,
    Separator = 1 << 3,
    Mark = 1 << 4,
    Punctuation = 1 << 5,
    Symbol = 1 << 6,
    Control = 1 << 7,
    Whitespace = 1 << 8,
}

internal static class CharClass
{
    private static readonly CharFlags[] Ascii = BuildAscii();

    /// <summary>Classes of <paramref name="cp"/>; never None for a code point (unassigned ones are Undefined).</summary>
    public static CharFlags Of(int cp)
    {
        if ((uint)cp < 128) return Ascii[cp];
        if ((uint)cp > 0x10FFFF) return CharFlags.Undefined;
        var f = FromCategory(CharUnicodeInfo.GetUnicodeCategory(cp));
        if (IsWhiteSpaceProperty(cp)) f |= CharFlags.Whitespace;
        return f;
    }

    public static bool IsWhiteSpaceProperty(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D => true,
        0x20 or 0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    private static CharFlags FromCategory(UnicodeCategory c) => c switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharFlags.Letter,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CharFlags.Mark,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharFlags.Number,
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => CharFlags.Separator,
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse => CharFlags.Control,
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation => CharFlags.Punctuation,
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol => CharFlags.Symbol,
        _ => CharFlags.Undefined,
    };

    private static CharFlags[] BuildAscii()
    {
        var t = new CharFlags[128];
        for (int cp = 0; cp < 128; cp++)
        {
            var f = FromCategory(CharUnicodeInfo.GetUnicodeCategory(cp));
            if (IsWhiteSpaceProperty(cp)) f |= CharFlags.Whitespace;
            t[cp] = f;
        }
        return t;
    }
}
