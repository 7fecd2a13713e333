using System.Runtime.InteropServices;

namespace Hearth.Numerics;

/// <summary>F32, F16 and BF16 rows: conversion and scalar reference dot products.</summary>
internal static class FloatFormats
{
    public static void DequantizeF32(ReadOnlySpan<byte> src, Span<float> dst) =>
        MemoryMarshal.Cast<byte, float>(src)[..dst.Length].CopyTo(dst);

    public static void QuantizeF32(ReadOnlySpan<float> src, Span<byte> dst) =>
        MemoryMarshal.AsBytes(src).CopyTo(dst);

    /// <summary>As ggml_vec_dot_f32's scalar path: products summed in double (ggml_float).</summary>
    public static float DotF32Reference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, float>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, float>(activation)[..n];
        double sum = 0;
        for (int i = 0; i < w.Length; i++) sum += w[i] * a[i];
        return (float)sum;
    }

    public static void DequantizeF16(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Fp16.ToFloat(MemoryMarshal.Cast<byte, ushort>(src)[..dst.Length], dst);
    }

    public static void QuantizeF16(ReadOnlySpan<float> src, Span<byte> dst)
    {
        var h = MemoryMarshal.Cast<byte, ushort>(dst)[..src.Length];
        for (int i = 0; i < src.Length; i++) h[i] = Fp16.FromFloat(src[i]);
    }

    /// <summary>As ggml_vec_dot_f16's scalar path: each product in float, summed in double.</summary>
    public static float DotF16Reference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, ushort>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, ushort>(activation)[..n];
        double sum = 0;
        for (int i = 0; i < w.Length; i++) sum += Fp16.ToFloat(w[i]) * Fp16.ToFloat(a[i]);
        return (float)sum;
    }

    public static void DequantizeBF16(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Fp16.BF16ToFloat(MemoryMarshal.Cast<byte, ushort>(src)[..dst.Length], dst);
    }

    public static void QuantizeBF16(ReadOnlySpan<float> src, Span<byte> dst)
    {
        var h = MemoryMarshal.Cast<byte, ushort>(dst)[..src.Length];
        for (int i = 0; i < src.Length; i++) h[i] = Fp16.BF16FromFloat(src[i]);
    }

    /// <summary>As ggml_vec_dot_bf16's scalar path: each product in float, summed in double.</summary>
    public static float DotBF16Reference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, ushort>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, ushort>(activation)[..n];
        double sum = 0;
        for (int i = 0; i < w.Length; i++) sum += Fp16.BF16ToFloat(w[i]) * Fp16.BF16ToFloat(a[i]);
        return (float)sum;
    }
}
