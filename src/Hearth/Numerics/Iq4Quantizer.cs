namespace Hearth.Numerics;

/// <summary>
/// The non-linear 4-bit quantizer of IQ4_NL and IQ4_XS, as ggml's quantize_iq4_nl / quantize_iq4_xs without an
/// importance matrix (what <c>ggml_quantize_chunk</c> and llama-quantize run): per 32 values the weights are x², the
/// scale starts at max/127 and 15 scales around -127/max are tried, keeping the best weighted fit; IQ4_XS then stores the
/// eight sub-block scales as 6-bit multiples of max_scale/32 and re-picks the levels with the rounded scale.
/// </summary>
internal static class Iq4Quantizer
{
    private const float GroupMaxEps = 1e-15f;
    private const int Tries = 7;

    /// <summary>The index of the level nearest to <paramref name="x"/> (ggml's best_index_int8; ties go up).</summary>
    public static int BestIndex(float x)
    {
        var v = Iq4Levels.Values;
        if (x <= v[0]) return 0;
        if (x >= v[15]) return 15;
        int ml = 0, mu = 15;
        while (mu - ml > 1)
        {
            int mav = (ml + mu) / 2;
            if (x < v[mav]) mu = mav;
            else ml = mav;
        }
        return x - v[mu - 1] < v[mu] - x ? mu - 1 : mu;
    }

    /// <summary>
    /// Quantizes one super-block of <paramref name="x"/>.Length values (32 for IQ4_NL, 256 for IQ4_XS): the fp16 d,
    /// the level indices in <paramref name="levels"/>, and for more than one sub-block the 6-bit scales (ls + 32).
    /// </summary>
    public static ushort QuantizeSuperBlock(ReadOnlySpan<float> x, Span<byte> levels, Span<int> scales6)
    {
        var v = Iq4Levels.Values;
        int nSub = x.Length / 32;
        Span<float> scales = stackalloc float[8];
        float maxScale = 0, amaxScale = 0;
        for (int ib = 0; ib < nSub; ib++)
        {
            var xb = x.Slice(32 * ib, 32);
            var lb = levels.Slice(32 * ib, 32);
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++)
            {
                float ax = MathF.Abs(xb[j]);
                if (ax > amax)
                {
                    amax = ax;
                    max = xb[j];
                }
            }
            if (amax < GroupMaxEps)
            {
                scales[ib] = 0;
                continue;
            }
            float d = -max / v[0];
            float id = 1 / d;
            float sumqx = 0, sumq2 = 0;
            for (int j = 0; j < 32; j++)
            {
                int l = BestIndex(id * xb[j]);
                lb[j] = (byte)l;
                float q = v[l];
                float w = xb[j] * xb[j];
                sumqx += w * q * xb[j];
                sumq2 += w * q * q;
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0f;
            float best = d * sumqx;
            for (int itry = -Tries; itry <= Tries; itry++)
            {
                id = (itry + v[0]) / max;
                sumqx = sumq2 = 0;
                for (int j = 0; j < 32; j++)
                {
                    float q = v[BestIndex(id * xb[j])];
                    float w = xb[j] * xb[j];
                    sumqx += w * q * xb[j];
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2)
                {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scales[ib] = d;
            float absD = MathF.Abs(d);
            if (absD > amaxScale)
            {
                amaxScale = absD;
                maxScale = d;
            }
        }

        if (nSub == 1)
        {
            float id = scales[0] != 0 ? 1 / scales[0] : 0;
            for (int j = 0; j < 32; j++) levels[j] = (byte)BestIndex(id * x[j]);
            return Fp16.FromFloat(scales[0]);
        }
        float dAll = -maxScale / 32;
        float idAll = dAll != 0 ? 1 / dAll : 0f;
        for (int ib = 0; ib < nSub; ib++)
        {
            int l = Math.Clamp(KQuantMath.NearestInt(idAll * scales[ib]), -32, 31);
            float dl = dAll * l;
            float idl = dl != 0 ? 1 / dl : 0f;
            for (int j = 0; j < 32; j++) levels[32 * ib + j] = (byte)BestIndex(idl * x[32 * ib + j]);
            scales6[ib] = l + 32;
        }
        return Fp16.FromFloat(dAll);
    }
}

/// <summary>The 16 levels of IQ4_NL and IQ4_XS (ggml's kvalues_iq4nl), from <see cref="IqTables"/>.</summary>
internal static class Iq4Levels
{
    public static readonly sbyte[] Values = Load();

    private static unsafe sbyte[] Load() => new ReadOnlySpan<sbyte>(IqTables.KValues, 16).ToArray();
}
