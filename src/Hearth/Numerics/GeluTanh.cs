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

    private static readonly Lazy<Half[]> Table = new(BuildTable);

    /// <summary>The formula in float (ggml_gelu_f32), the scalar reference the table is built from.</summary>
    public static float Reference(float x) => 0.5f * x * (1.0f + MathF.Tanh(SqrtTwoOverPi * x * (1.0f + CoefA * x * x)));

    /// <summary>gate = gelu(gate) · up (GeGLU), as ggml's geglu with the F16 table.</summary>
    public static void Glu(Span<float> gate, ReadOnlySpan<float> up)
    {
        var table = Table.Value;
        for (int i = 0; i < gate.Length; i++)
        {
            float x = gate[i];
            float g;
            if (x <= -10.0f) g = 0.0f;
            else if (x >= 10.0f) g = x;
            else g = (float)table[BitConverter.HalfToUInt16Bits((Half)x)];
            gate[i] = g * up[i];
        }
    }

    private static Half[] BuildTable()
    {
        var t = new Half[1 << 16];
        for (int i = 0; i < t.Length; i++) t[i] = (Half)Reference((float)BitConverter.UInt16BitsToHalf((ushort)i));
        return t;
    }
}
