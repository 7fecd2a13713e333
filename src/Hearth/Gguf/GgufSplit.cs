using System.Globalization;
using System.Text.RegularExpressions;

namespace Hearth.Gguf;

/// <summary>
/// The gguf-split convention (llama.cpp's tools/gguf-split): a model cut into N files named
/// <c>PREFIX-0000k-of-0000N.gguf</c> (k from 1). Every part has <c>split.no</c> (u16, from 0), <c>split.count</c> (u16)
/// and <c>split.tensors.count</c> (i32, the tensors of all parts); the first part alone carries the other metadata.
/// Each part is a complete GGUF file whose tensor offsets are relative to its own data section.
/// </summary>
internal static partial class GgufSplit
{
    public const string NoKey = "split.no";
    public const string CountKey = "split.count";
    public const string TensorsCountKey = "split.tensors.count";

    [GeneratedRegex(@"^(?<prefix>.+)-(?<no>\d{5})-of-(?<count>\d{5})\.gguf$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PartName();

    /// <summary>llama.cpp's split_path: PREFIX-%05d-of-%05d.gguf with a 1-based part number.</summary>
    public static string PartPath(string prefix, int index, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{index + 1:D5}-of-{count:D5}.gguf");

    /// <summary>Splits a part's path into its prefix, 0-based index and count; false when the name does not follow the convention.</summary>
    public static bool TryParsePath(string path, out string prefix, out int index, out int count)
    {
        var m = PartName().Match(path);
        prefix = string.Empty;
        index = 0;
        count = 0;
        if (!m.Success) return false;
        prefix = m.Groups["prefix"].Value;
        index = int.Parse(m.Groups["no"].Value, CultureInfo.InvariantCulture) - 1;
        count = int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture);
        return index >= 0 && index < count;
    }

    /// <summary>
    /// Writes <paramref name="source"/> as <paramref name="parts"/> files <c>PREFIX-0000k-of-0000N.gguf</c> the way
    /// gguf-split does (tensors in file order, cut into runs of near-equal count; metadata in the first part only).
    /// Returns the paths in order. Tensor data is read from the open source file, not copied in memory.
    /// </summary>
    public static string[] Write(GgufFile source, string prefix, int parts)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, Math.Max(1, source.Tensors.Count));
        var all = source.Tensors;
        var paths = new string[parts];
        int next = 0;
        for (int p = 0; p < parts; p++)
        {
            var w = new GgufWriter(source.Version);
            if (p == 0)
            {
                foreach (var kv in source.MetadataEntries)
                {
                    if (kv.Key is not (NoKey or CountKey or TensorsCountKey)) w.SetMetadata(kv.Key, kv.Value);
                }
            }
            else if (source.GetValueOrNull(GgufReader.AlignmentKey) is { } alignment)
            {
                w.SetMetadata(GgufReader.AlignmentKey, alignment);
            }
            w.SetMetadata(NoKey, new GgufValue(GgufValueType.UInt16, (ushort)p));
            w.SetMetadata(CountKey, new GgufValue(GgufValueType.UInt16, (ushort)parts));
            w.SetMetadata(TensorsCountKey, GgufValue.Int32(all.Count));
            int end = (int)((long)all.Count * (p + 1) / parts);
            for (; next < end; next++) w.AddTensorFrom(source, all[next]);
            paths[p] = PartPath(prefix, p, parts);
            w.WriteTo(paths[p]);
        }
        return paths;
    }
}
