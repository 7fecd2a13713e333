using System.Runtime.InteropServices;
using System.Text;

namespace Hearth.Inference;

public sealed partial class InferenceSession
{
    // "HRTHSES" + format version: a state written by another version is refused rather than misread.
    private static readonly byte[] StateMagic = "HRTHSES1"u8.ToArray();

    /// <summary>
    /// Writes the session's state to <paramref name="stream"/>: its tokens, the last logits and the KV cache of those
    /// tokens (F16, about <see cref="KvCacheBytes"/> × Position / ContextSize bytes) and, for a hybrid model, the
    /// recurrent layers' state (<see cref="RecurrentStateBytes"/>; checkpoints are not saved). <see cref="LoadState"/> restores it
    /// into a session of the same model, so a long prompt need not be processed again.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public void SaveState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfDisposed();
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(StateMagic);
        WriteFingerprint(w);
        w.Write(Position);
        w.Write(MemoryMarshal.AsBytes(Tokens));
        w.Write(MemoryMarshal.AsBytes(_logits.AsSpan()));
        w.Flush();
        using var lease = _model.Acquire();
        lock (_model.ComputeLock)
        {
            _cache.WriteTo(stream, Position);
            _recurrent?.WriteTo(stream);
        }
    }

    /// <summary>Replaces the session's state with one written by <see cref="SaveState"/> for the same model.</summary>
    /// <exception cref="InvalidDataException">The stream does not hold a session state, or one of a different model.</exception>
    /// <exception cref="ContextOverflowException">The saved state holds more tokens than this session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public void LoadState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfDisposed();
        using var lease = _model.Acquire();
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        Span<byte> magic = stackalloc byte[8];
        if (stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) < 8 || !magic.SequenceEqual(StateMagic))
            throw new InvalidDataException("The stream does not hold a Hearth session state (bad magic; it must come from InferenceSession.SaveState).");
        var c = _model.Config;
        string arch = r.ReadString();
        int vocab = r.ReadInt32(), blocks = r.ReadInt32(), kw = r.ReadInt32(), vw = r.ReadInt32(), embd = r.ReadInt32();
        if (arch != c.Architecture || vocab != c.VocabSize || blocks != c.BlockCount || kw != _cache.KeyWidth || vw != _cache.ValueWidth || embd != c.EmbeddingLength)
        {
            throw new InvalidDataException(
                $"The session state is for a different model ({arch}: vocab {vocab}, {blocks} layers, n_embd {embd}); " +
                $"this session's model is {c.Architecture}: vocab {c.VocabSize}, {c.BlockCount} layers, n_embd {c.EmbeddingLength}.");
        }
        int position = r.ReadInt32();
        if (position < 0) throw new InvalidDataException($"The session state has a negative token count ({position}).");
        if (position > ContextSize) throw new ContextOverflowException(position, ContextSize);
        Position = 0;
        stream.ReadExactly(MemoryMarshal.AsBytes(_history.AsSpan(0, position)));
        stream.ReadExactly(MemoryMarshal.AsBytes(_logits.AsSpan()));
        lock (_model.ComputeLock)
        {
            _cache.ReadFrom(stream, position);
            if (_recurrent != null)
            {
                _recurrent.ReadFrom(stream);
                _recurrent.Position = position;
                _checkpoints!.DropAfter(-1);
            }
        }
        Position = position;
    }

    private void WriteFingerprint(BinaryWriter w)
    {
        var c = _model.Config;
        w.Write(c.Architecture);
        w.Write(c.VocabSize);
        w.Write(c.BlockCount);
        w.Write(_cache.KeyWidth);
        w.Write(_cache.ValueWidth);
        w.Write(c.EmbeddingLength);
    }
}
