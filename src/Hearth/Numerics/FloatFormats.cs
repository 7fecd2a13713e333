using System.Runtime.InteropServices;

namespace Hearth.Numerics;

/// <summary>F32 rows: conversion and dot product.</summary>
internal static class FloatFormats
{
    public static void DequantizeF32(ReadOnlySpan<byte> src, Span<float> dst) =>
        MemoryMarshal.Cast<byte, float>(src)[..dst.Length].CopyTo(dst);

    public static void QuantizeF32(ReadOnlySpan<float> src, Span<byte> dst) =>
        MemoryMarshal.AsBytes(src).CopyTo(dst);

    public static float DotF32(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(
            MemoryMarshal.Cast<byte, float>(weight)[..n], MemoryMarshal.Cast<byte, float>(activation)[..n]);
}
