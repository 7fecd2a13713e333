using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Hearth.Numerics;

/// <summary>
/// GELU with the tanh approximation, 0.5·x·(1 + tanh(sqrt(2/π)·x·(1 + 0.044715·x²))), the way ggml's CPU backend
/// evaluates it for F32 tensors: through a 65536-entry F16 table (GGML_GELU_FP16), so the input is rounded to F16 and
/// the result is the F16 rounding of the formula; inputs at or below -10 give 0 and at or above 10 give x. Matching
/// that rounding keeps Gemma's logits within float noise of llama.cpp instead of ~1e-3 away.
/// </summary>
internal static class GeluTanh
{
    private const float CoefA = 0.044715f;
    private const float SqrtTwoOverPi = 0.79788456080286535587989211986876f;

    // The table as float (the F16 results widened once): a lookup is then a plain load, no per-element Half cast.
    private static readonly Lazy<float[]> Table = new(BuildTable);

    /// <summary>The formula in float (ggml_gelu_f32), the scalar reference the table is built from.</summary>
    public static float Reference(float x) => 0.5f * x * (1.0f + MathF.Tanh(SqrtTwoOverPi * x * (1.0f + CoefA * x * x)));

    /// <summary>gate = gelu(gate) · up (GeGLU), as ggml's geglu with the F16 table: inputs rounded to F16 in bulk
    /// (vectorised), one table load each, the product with up vectorised.</summary>
    public static void Glu(Span<float> gate, ReadOnlySpan<float> up)
    {
        // 256 at a time, so the product reads the slice Apply just wrote while it is still in L1.
        for (int i0 = 0; i0 < gate.Length; i0 += 256)
        {
            int n = Math.Min(256, gate.Length - i0);
            var g = gate.Slice(i0, n);
            Apply(g);
            TensorPrimitives.Multiply(g, up.Slice(i0, n), g);
        }
    }

    /// <summary>x = gelu(x) in place (ggml_gelu on F32), through the same F16 table as <see cref="Glu"/>.</summary>
    public static void Apply(Span<float> x)
    {
        var table = Table.Value;
        Span<ushort> bits = stackalloc ushort[256];
        for (int i0 = 0; i0 < x.Length; i0 += 256)
        {
            int n = Math.Min(256, x.Length - i0);
            var g = x.Slice(i0, n);
            var h = bits[..n];
            TensorPrimitives.ConvertToHalf(g, MemoryMarshal.Cast<ushort, Half>(h));
            for (int i = 0; i < n; i++)
            {
                float v = g[i];
                g[i] = v <= -10.0f ? 0.0f : v >= 10.0f ? v : table[h[i]];
            }
        }
    }

    /// <summary>The scalar reference of <see cref="Glu"/>: one element at a time through the scalar Half cast.</summary>
    public static void GluScalar(Span<float> gate, ReadOnlySpan<float> up)
    {
        var table = Table.Value;
        for (int i = 0; i < gate.Length; i++)
        {
            float x = gate[i];
            float g;
            if (x <= -10.0f) g = 0.0f;
            else if (x >= 10.0f) g = x;
            else g = table[BitConverter.HalfToUInt16Bits((Half)x)];
            gate[i] = g * up[i];
        }
    }

    private static float[] BuildTable()
    {
        var t = new float[1 << 16];
        for (int i = 0; i < t.Length; i++) t[i] = (float)(Half)Reference((float)BitConverter.UInt16BitsToHalf((ushort)i));
        return t;
    }
}
