using System.Runtime.InteropServices;
using Hearth.Models;

namespace Hearth.Inference;

/// <summary>
/// The fixed-size state a sequence's recurrent layers carry instead of a KV cache (LFM2's short convolutions, Qwen3.5's
/// Gated DeltaNet): per recurrent layer the last <see cref="ModelConfig.ConvWindow"/> inputs of its causal convolution
/// (// [window, channels], oldest row first) and, for Gated DeltaNet, one S × S matrix per value head
/// (// [heads, S (value index j), S (key index i)]: row j holds column j of the state S[i][j], as ggml stores it).
/// Allocated once when the session is created; the forward pass updates it in place, so it describes exactly the
/// tokens evaluated so far and cannot be cut back to an earlier position (see <see cref="RecurrentCheckpoints"/>).
/// </summary>
internal sealed class RecurrentState
{
    private readonly float[]?[] _conv;    // per layer (null on attention layers): [window, channels]
    private readonly float[]?[] _matrix;  // per layer (null on attention layers or without a matrix): [heads, S, S]

    public RecurrentState(ModelConfig config)
    {
        int layers = config.BlockCount;
        _conv = new float[]?[layers];
        _matrix = new float[]?[layers];
        for (int l = 0; l < layers; l++)
        {
            if (!config.IsRecurrentLayer(l)) continue;
            _conv[l] = new float[config.ConvWindow * config.ConvChannels];
            if (config.RecurrentMatrixSize > 0) _matrix[l] = new float[config.RecurrentMatrixSize];
            ByteSize += 4L * (_conv[l]!.Length + (_matrix[l]?.Length ?? 0));
        }
    }

    /// <summary>Tokens the state has consumed (the position of the next token).</summary>
    public int Position { get; set; }

    /// <summary>Bytes the state holds (F32).</summary>
    public long ByteSize { get; }

    /// <summary>The convolution window of recurrent layer <paramref name="layer"/>. // [window, channels]</summary>
    public Span<float> Conv(int layer) => _conv[layer];

    /// <summary>The recurrent matrices of layer <paramref name="layer"/>. // [heads, S, S]</summary>
    public Span<float> Matrix(int layer) => _matrix[layer];

    /// <summary>Back to the state of an empty sequence (all zeros, as llama.cpp starts a sequence).</summary>
    public void Clear()
    {
        for (int l = 0; l < _conv.Length; l++)
        {
            _conv[l]?.AsSpan().Clear();
            _matrix[l]?.AsSpan().Clear();
        }
        Position = 0;
    }

    /// <summary>Becomes a copy of <paramref name="other"/> (a state of the same model).</summary>
    public void CopyFrom(RecurrentState other)
    {
        for (int l = 0; l < _conv.Length; l++)
        {
            other._conv[l]?.AsSpan().CopyTo(_conv[l]);
            other._matrix[l]?.AsSpan().CopyTo(_matrix[l]);
        }
        Position = other.Position;
    }

    /// <summary>Writes every recurrent layer's window then matrix, as raw F32.</summary>
    public void WriteTo(Stream stream)
    {
        for (int l = 0; l < _conv.Length; l++)
        {
            if (_conv[l] is { } c) stream.Write(MemoryMarshal.AsBytes(c.AsSpan()));
            if (_matrix[l] is { } m) stream.Write(MemoryMarshal.AsBytes(m.AsSpan()));
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; the caller sets <see cref="Position"/>.</summary>
    public void ReadFrom(Stream stream)
    {
        for (int l = 0; l < _conv.Length; l++)
        {
            if (_conv[l] is { } c) stream.ReadExactly(MemoryMarshal.AsBytes(c.AsSpan()));
            if (_matrix[l] is { } m) stream.ReadExactly(MemoryMarshal.AsBytes(m.AsSpan()));
        }
    }
}
