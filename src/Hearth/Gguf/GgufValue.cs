using System.Globalization;

namespace Hearth.Gguf;

/// <summary>
/// One metadata value. Scalars hold the CLR value of their type (byte, sbyte, ushort, short, uint, int, float, bool,
/// string, ulong, long, double); arrays hold a typed CLR array (<c>int[]</c>, <c>string[]</c>, ...) or, for arrays of
/// arrays, <c>GgufValue[]</c>, with <see cref="ElementType"/> naming the element type.
/// </summary>
public sealed class GgufValue
{
    /// <summary>A value of <paramref name="type"/> holding <paramref name="value"/> (for arrays: of <paramref name="elementType"/>).</summary>
    public GgufValue(GgufValueType type, object value, GgufValueType elementType = GgufValueType.UInt8)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    /// <summary>A string value whose file bytes are not valid UTF-8: <paramref name="raw"/> keeps them for an exact rewrite.</summary>
    internal GgufValue(string value, byte[] raw)
        : this(GgufValueType.String, value)
    {
        RawString = raw;
    }

    /// <summary>A string array in which some elements are not valid UTF-8; <paramref name="raw"/> holds their file bytes (null elsewhere).</summary>
    internal GgufValue(string[] value, byte[]?[] raw)
        : this(GgufValueType.Array, value, GgufValueType.String)
    {
        RawStringElements = raw;
    }

    /// <summary>The value type.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays: the type of the elements.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>The CLR value (see the class summary).</summary>
    public object Value { get; }

    // GGUF strings are meant to be UTF-8, but some vocabularies hold byte tokens that are not. Value then holds the
    // decoded text (with U+FFFD) for every reader, and these keep the original bytes so GgufWriter rewrites the file
    // byte for byte.
    internal byte[]? RawString { get; }

    internal byte[]?[]? RawStringElements { get; }

    /// <summary>Whether the value is an array.</summary>
    public bool IsArray => Type == GgufValueType.Array;

    /// <summary>Number of elements of an array value.</summary>
    /// <exception cref="GgufFormatException">The value is not an array.</exception>
    public int ArrayLength => Value is Array a ? a.Length : throw WrongType(null, "an array");

    /// <summary>A string value.</summary>
    public static GgufValue String(string s) => new(GgufValueType.String, s);

    /// <summary>A uint32 value.</summary>
    public static GgufValue UInt32(uint v) => new(GgufValueType.UInt32, v);

    /// <summary>An int32 value.</summary>
    public static GgufValue Int32(int v) => new(GgufValueType.Int32, v);

    /// <summary>A uint64 value.</summary>
    public static GgufValue UInt64(ulong v) => new(GgufValueType.UInt64, v);

    /// <summary>A float32 value.</summary>
    public static GgufValue Float32(float v) => new(GgufValueType.Float32, v);

    /// <summary>A boolean value.</summary>
    public static GgufValue Bool(bool v) => new(GgufValueType.Bool, v);

    /// <summary>A string array.</summary>
    public static GgufValue Array(string[] v) => new(GgufValueType.Array, v, GgufValueType.String);

    /// <summary>A float32 array.</summary>
    public static GgufValue Array(float[] v) => new(GgufValueType.Array, v, GgufValueType.Float32);

    /// <summary>An int32 array.</summary>
    public static GgufValue Array(int[] v) => new(GgufValueType.Array, v, GgufValueType.Int32);

    /// <summary>A uint32 array.</summary>
    public static GgufValue Array(uint[] v) => new(GgufValueType.Array, v, GgufValueType.UInt32);

    /// <summary>A boolean array.</summary>
    public static GgufValue Array(bool[] v) => new(GgufValueType.Array, v, GgufValueType.Bool);

    /// <summary>The value as a signed 64-bit integer, for any integer type (and bool).</summary>
    /// <exception cref="GgufFormatException">The value is not an integer, or a uint64 above <see cref="long.MaxValue"/>.</exception>
    public long AsInt64() => AsInt64(null);

    /// <summary>The value as a double, for any numeric type.</summary>
    /// <exception cref="GgufFormatException">The value is not a number.</exception>
    public double AsDouble() => AsDouble(null);

    /// <exception cref="GgufFormatException">The value is not a string.</exception>
    public string AsString() => AsString(null);

    /// <summary>The value as a bool, for a bool or an integer (non-zero is true).</summary>
    /// <exception cref="GgufFormatException">The value is neither.</exception>
    public bool AsBool() => AsBool(null);

    // The forms with a key name it in the error; GgufFile's getters use them.
    internal long AsInt64(string? key) => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        ulong v => v <= long.MaxValue ? (long)v : throw new GgufFormatException(
            $"{Name(key)} = {v} (uint64) is beyond the largest value Hearth accepts, {long.MaxValue}.", key),
        long v => v,
        bool v => v ? 1 : 0,
        _ => throw WrongType(key, "an integer"),
    };

    internal double AsDouble(string? key) => Value switch
    {
        float v => v,
        double v => v,
        string or System.Array => throw WrongType(key, "a number"),
        _ => AsInt64(key),
    };

    internal string AsString(string? key) => Value as string ?? throw WrongType(key, "a string");

    internal bool AsBool(string? key) => Value switch
    {
        bool b => b,
        byte or sbyte or ushort or short or uint or int or ulong or long => AsInt64(key) != 0,
        _ => throw WrongType(key, "a bool"),
    };

    /// <summary>"Metadata 'k' should be a string but is int32" (with the element type for arrays).</summary>
    internal GgufFormatException WrongType(string? key, string expected) =>
        new($"{Name(key)} should be {expected} but is {TypeName}.", key);

    /// <summary>The value's type as GGUF names it: uint32, string, array of float32.</summary>
    internal string TypeName => IsArray ? $"an array of {TypeNameOf(ElementType)}" : TypeNameOf(Type);

    internal static string TypeNameOf(GgufValueType t) => t switch
    {
        GgufValueType.Float32 => "float32",
        GgufValueType.Float64 => "float64",
        _ => t.ToString().ToLowerInvariant(),
    };

    private static string Name(string? key) => key == null ? "The metadata value" : $"Metadata '{key}'";

    /// <summary>The value as text.</summary>
    public override string ToString() => Value switch
    {
        string s => s,
        float f => f.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        System.Array a => $"[{ElementType} x {a.Length}]",
        _ => Convert.ToString(Value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
