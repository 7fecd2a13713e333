using System.Buffers;
using System.Text;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// What all vocabulary-driven tokenizers share: special-token splitting, BOS/EOS placement, rendering and decoding.
/// Subclasses only tokenize plain text fragments.
/// </summary>
internal abstract class VocabularyTokenizer : Tokenizer
{
    private readonly SpecialTokenSplitter _splitter;

    protected VocabularyTokenizer(Vocabulary vocab, string model)
    {
        Vocab = vocab;
        _splitter = new SpecialTokenSplitter(vocab);
        BosId = vocab.Ids.Bos;
        EosId = vocab.Ids.Eos;
        EotId = vocab.Ids.Eot;
        PadId = vocab.Ids.Pad;
        UnknownId = vocab.Ids.Unk;
        AddBos = vocab.AddBos;
        AddEos = vocab.AddEos;
        Model = model;
    }

    internal Vocabulary Vocab { get; }

    public override int VocabSize => Vocab.Count;

    public override int[] Encode(string text, bool addSpecial = true, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Lone surrogates cannot be UTF-8; the encoder writes U+FFFD for them, as any UTF-8 conversion would.
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int n = Encoding.UTF8.GetBytes(text, rented);
            var output = new IntList(n / 3 + 8);
            EncodeUtf8(rented.AsSpan(0, n), addSpecial, parseSpecial, output);
            return output.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal void EncodeUtf8(ReadOnlySpan<byte> text, bool addSpecial, bool parseSpecial, IntList output)
    {
        var fragments = _splitter.Split(text, parseSpecial);
        if (addSpecial && AddsBos) output.Add(RequireSpecial(Vocab.Ids.Bos, "BOS"));
        bool previousWasSpecial = true;
        foreach (var f in fragments)
        {
            if (f.IsText)
            {
                EncodeText(text.Slice(f.Start, f.Length), previousWasSpecial, output);
                previousWasSpecial = false;
            }
            else
            {
                output.Add(f.Token);
                previousWasSpecial = true;
            }
        }
        if (addSpecial && AddsEos) output.Add(RequireSpecial(AddsSeparatorAsEos ? Vocab.Ids.Sep : Vocab.Ids.Eos, AddsSeparatorAsEos ? "SEP" : "EOS"));
    }

    /// <summary>
    /// A (query, document) pair as llama.cpp's server joins one for a reranker without a rerank template: BOS if the
    /// vocabulary adds it, the query, EOS if it adds EOS, SEP if it adds SEP (WordPiece), the document, EOS if it adds EOS.
    /// </summary>
    internal int[] EncodePair(string first, string second)
    {
        var a = Encode(first, addSpecial: false);
        var b = Encode(second, addSpecial: false);
        bool eos = AddsEos && !AddsSeparatorAsEos, sep = AddsSeparatorAsEos || Vocab.AddSep;
        var output = new IntList(a.Length + b.Length + 4);
        if (AddsBos) output.Add(RequireSpecial(Vocab.Ids.Bos, "BOS"));
        foreach (int t in a) output.Add(t);
        if (eos) output.Add(RequireSpecial(Vocab.Ids.Eos, "EOS"));
        if (sep) output.Add(RequireSpecial(Vocab.Ids.Sep, "SEP"));
        foreach (int t in b) output.Add(t);
        if (eos) output.Add(RequireSpecial(Vocab.Ids.Eos, "EOS"));
        return output.ToArray();
    }

    /// <summary>Whether addSpecial puts a BOS first (the vocabulary's flag unless the model always does).</summary>
    protected virtual bool AddsBos => Vocab.AddBos;

    /// <summary>Whether addSpecial puts an EOS (or SEP) last.</summary>
    protected virtual bool AddsEos => Vocab.AddEos;

    /// <summary>WordPiece ends a sequence with SEP instead of EOS.</summary>
    protected virtual bool AddsSeparatorAsEos => false;

    /// <summary>Tokenizes one fragment of plain text. <paramref name="afterSpecial"/>: it starts the input or follows a special token.</summary>
    protected abstract void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output);

    private int RequireSpecial(int id, string what)
    {
        if (id < 0 || id >= Vocab.Count)
            throw new ModelConfigurationException($"The vocabulary asks for a {what} token to be added but has no valid {what} id.");
        return id;
    }

    public override ReadOnlySpan<byte> TokenBytes(int id) => Vocab.Piece(CheckId(id));

    public override string TokenPiece(int id) => Vocab.TextOf(CheckId(id));

    public override TokenAttributes GetAttributes(int id) => Vocab.Attributes[CheckId(id)];

    public override bool IsEndOfGeneration(int id) => (uint)id < (uint)Vocab.Count && Vocab.IsEog[id];

    public override string Decode(ReadOnlySpan<int> ids, bool renderSpecial)
    {
        var bytes = new ArrayBufferWriter<byte>(Math.Max(16, ids.Length * 4));
        bool stripSpace = Vocab.AddSpacePrefix;
        foreach (int id in ids)
        {
            CheckId(id);
            if (!renderSpecial && Vocab.Has(TokenAttributes.Control | TokenAttributes.Unknown, id)) continue;
            var piece = Vocab.Piece(id);
            if (piece.IsEmpty) continue;
            if (stripSpace && piece[0] == (byte)' ') piece = piece[1..];
            stripSpace = false;
            bytes.Write(piece);
        }
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    private int CheckId(int id)
    {
        if ((uint)id >= (uint)Vocab.Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside the vocabulary (0..{Vocab.Count - 1}).");
        return id;
    }
}
