using System.Runtime.CompilerServices;

namespace Hearth.Numerics;

/// <summary>
/// The scale-search helpers of ggml's K-quant reference quantizers (ggml-quants.c: nearest_int, make_qx_quants,
/// make_q3_quants, make_qkx2_quants, get_scale_min_k4), written so every float operation happens in the same order
/// as there: the quantized bytes then match ggml's bit for bit.
/// </summary>
internal static class KQuantMath
{
    /// <summary>Elements per K-quant super-block (ggml's QK_K).</summary>
    public const int QK_K = 256;

    /// <summary>Below this a group counts as all zero (ggml's GROUP_MAX_EPS).</summary>
    private const float GroupMaxEps = 1e-15f;

    /// <summary>
    /// Round to nearest, ties to even, by adding 1.5·2^23 so the integer lands in the low mantissa bits
    /// (valid for |x| ≤ 2^22, as ggml asserts).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NearestInt(float x)
    {
        float v = x + 12582912f;
        return (int)(BitConverter.SingleToUInt32Bits(v) & 0x007fffff) - 0x00400000;
    }

    /// <summary>make_qx_quants with weights x² (rmse_type 1, no importance): symmetric levels -nmax..nmax-1, stored +nmax.</summary>
    public static float MakeQxQuants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> l)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            l[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int q = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
            l[i] = (sbyte)(q + nmax);
            float w = x[i] * x[i];
            sumlx += w * x[i] * q;
            suml2 += w * q * q;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int step = -9; step <= 9; step++)
        {
            if (step == 0) continue;
            iscale = -(nmax + 0.1f * step) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++)
            {
                int q = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
                float w = x[i] * x[i];
                sumlx += w * x[i] * q;
                suml2 += w * q * q;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2)
            {
                for (int i = 0; i < n; i++) l[i] = (sbyte)(nmax + Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1));
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /// <summary>make_q3_quants with do_rmse: start from the max-based scale, then move single levels while the weighted error drops.</summary>
    public static float MakeQ3Quants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> l)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            l[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int q = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
            l[i] = (sbyte)q;
            float w = x[i] * x[i];
            sumlx += w * x[i] * q;
            suml2 += w * q * q;
        }
        for (int itry = 0; itry < 5; itry++)
        {
            int changed = 0;
            for (int i = 0; i < n; i++)
            {
                float w = x[i] * x[i];
                float slx = sumlx - w * x[i] * l[i];
                if (slx > 0)
                {
                    float sl2 = suml2 - w * l[i] * l[i];
                    int nl = Math.Clamp(NearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
                    if (nl != l[i])
                    {
                        slx += w * x[i] * nl;
                        sl2 += w * nl * nl;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2)
                        {
                            l[i] = (sbyte)nl;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; i++) l[i] = (sbyte)(l[i] + nmax);
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /// <summary>
    /// make_qkx2_quants: asymmetric levels 0..nmax with a minimum; tries nstep+1 scales around nmax/(max-min) and
    /// keeps the one with the least weighted error (absolute when <paramref name="useMad"/>, squared otherwise).
    /// Returns the scale; <paramref name="theMin"/> receives -min (≥ 0).
    /// </summary>
    public static float MakeQkx2Quants(int n, int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> l,
        out float theMin, Span<byte> laux, float rmin, float rdelta, int nstep, bool useMad)
    {
        float min = x[0], max = x[0];
        float sumW = weights[0];
        float sumX = sumW * x[0];
        for (int i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            l[..n].Clear();
            theMin = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++)
        {
            int q = NearestInt(iscale * (x[i] - min));
            l[i] = (byte)Math.Max(0, Math.Min(nmax, q));
            float diff = scale * l[i] + min - x[i];
            diff = useMad ? MathF.Abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1)
        {
            theMin = -min;
            return scale;
        }
        for (int step = 0; step <= nstep; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++)
            {
                int q = Math.Max(0, Math.Min(nmax, NearestInt(iscale * (x[i] - min))));
                laux[i] = (byte)q;
                float w = weights[i];
                sumL += w * q;
                sumL2 += w * q * q;
                sumXL += w * q * x[i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0)
            {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++)
                {
                    float diff = thisScale * laux[i] + thisMin - x[i];
                    diff = useMad ? MathF.Abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError)
                {
                    laux[..n].CopyTo(l);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin = -min;
        return scale;
    }

    /// <summary>
    /// Q4_K/Q5_K pack eight 6-bit scales and eight 6-bit mins into 12 bytes (ggml's get_scale_min_k4): for j &lt; 4
    /// the low 6 bits of bytes j and j+4; for j ≥ 4 a nibble of byte j+4 plus the top 2 bits of bytes j-4 and j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GetScaleMinK4(int j, ReadOnlySpan<byte> q, out int scale, out int min)
    {
        if (j < 4)
        {
            scale = q[j] & 63;
            min = q[j + 4] & 63;
        }
        else
        {
            scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
            min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
        }
    }

    /// <summary>Packs scale and min of sub-block j into the 12-byte Q4_K/Q5_K layout (the inverse of <see cref="GetScaleMinK4"/>).</summary>
    public static void PackScaleMinK4(int j, int ls, int lm, Span<byte> q)
    {
        if (j < 4)
        {
            q[j] = (byte)ls;
            q[j + 4] = (byte)lm;
        }
        else
        {
            q[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
            q[j - 4] |= (byte)((ls >> 4) << 6);
            q[j] |= (byte)((lm >> 4) << 6);
        }
    }

    /// <summary>
    /// The shared part of ggml's Q4_K and Q5_K reference quantizers for one 256-value super-block: per 32 values a
    /// make_qkx2_quants scale and min (weights av|x| + |x|), both packed as 6-bit values under F16 super-scales written at
    /// bytes 0 and 2 of <paramref name="block"/>, then each value's level in [0, nmax] recomputed from the rounded scales.
    /// The caller packs <paramref name="levels"/> (// [256]) into its own bit layout.
    /// </summary>
    public static void QuantizeSuperBlockK4(ReadOnlySpan<float> x, Span<byte> block, int scalesOffset, Span<byte> levels, int nmax, float rmin, int nstep)
    {
        Span<byte> laux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++)
        {
            var xs = x.Slice(32 * j, 32);
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += xs[l] * xs[l];
            float avX = MathF.Sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(xs[l]);
            scales[j] = MakeQkx2Quants(32, nmax, xs, weights, levels.Slice(32 * j, 32), out mins[j], laux, rmin, 0.1f, nstep, false);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        var packed = block.Slice(scalesOffset, 12);
        for (int j = 0; j < 8; j++)
        {
            int ls = Math.Min(63, (int)(byte)NearestInt(invScale * scales[j]));
            int lm = Math.Min(63, (int)(byte)NearestInt(invMin * mins[j]));
            PackScaleMinK4(j, ls, lm, packed);
        }
        Bits.WriteHalf(block, 0, maxScale / 63f);
        Bits.WriteHalf(block, 2, maxMin / 63f);
        float dAll = Bits.Half(block, 0), dMinAll = Bits.Half(block, 2);
        for (int j = 0; j < 8; j++)
        {
            GetScaleMinK4(j, packed, out int sc, out int m);
            float d = dAll * sc;
            if (d == 0) continue;
            float dm = dMinAll * m;
            for (int ii = 0; ii < 32; ii++)
                levels[32 * j + ii] = (byte)Math.Clamp(NearestInt((x[32 * j + ii] + dm) / d), 0, nmax);
        }
    }
}
