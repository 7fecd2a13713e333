using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Finds a model's tensors by llama.cpp's names and checks each against the shape the metadata implies: matrices stay
/// views over the mapped file, small vectors (norms, biases) are read into float arrays.
/// </summary>
internal sealed unsafe class TensorLoader(GgufFile file)
{
    public bool Has(string name) => file.FindTensor(name) != null;

    // Expected shapes are 64-bit: products of hyper-parameters must not wrap to match a tensor.
    public WeightMatrix Matrix(string name, long cols, long rows)
    {
        var info = Find(name);
        if (cols > int.MaxValue || rows > int.MaxValue || info.Columns != cols || info.Rows != rows || (info.Dimensions.Count > 2 && info.Dimensions[1] != rows))
        {
            throw new ModelConfigurationException(
                $"Tensor '{name}' has shape [{string.Join(", ", info.Dimensions)}]; expected [{cols}, {rows}] from the model's metadata.", name);
        }
        CheckType(info);
        return new WeightMatrix(info, file.GetTensorPointer(info));
    }

    public WeightMatrix? OptionalMatrix(string name, long cols, long rows) => Has(name) ? Matrix(name, cols, rows) : null;

    /// <summary>A [cols, rows, slices] tensor as one matrix per slice (expert), each a view in place.</summary>
    public WeightMatrix[] Tensor3(string name, long cols, long rows, int slices)
    {
        var info = Find(name);
        var d = info.Dimensions;
        if (cols > int.MaxValue || rows > int.MaxValue || d.Count != 3 || d[0] != cols || d[1] != rows || d[2] != slices)
        {
            throw new ModelConfigurationException(
                $"Tensor '{name}' has shape [{string.Join(", ", d)}]; expected [{cols}, {rows}, {slices}] from the model's metadata.", name);
        }
        CheckType(info);
        byte* data = file.GetTensorPointer(info);
        var result = new WeightMatrix[slices];
        for (int s = 0; s < slices; s++) result[s] = WeightMatrix.Slice(info, data, s);
        return result;
    }

    public float[] Vector(string name, long n)
    {
        var info = Find(name);
        if (info.ElementCount != n || n <= 0 || n > Array.MaxLength)
        {
            throw new ModelConfigurationException($"Tensor '{name}' has {info.ElementCount} elements; expected {n}.", name);
        }
        if (!TensorTypes.IsSupported(info.Type))
        {
            throw new NotSupportedException($"Tensor '{name}' has type {info.Type}, which Hearth does not support; supported types: {string.Join(", ", TensorTypes.Supported)}.");
        }
        var v = new float[n];
        TensorTypes.Get(info.Type).Dequantize(file.GetTensorData(info), v);
        return v;
    }

    public float[]? OptionalVector(string name, long n) => Has(name) ? Vector(name, n) : null;

    public GgufTensorInfo Find(string name) =>
        file.FindTensor(name) ?? throw new ModelConfigurationException($"The model is missing the required tensor '{name}'.", name);

    private static void CheckType(GgufTensorInfo info)
    {
        if (!TensorTypes.IsSupported(info.Type) || !TensorTypes.Get(info.Type).IsWeightType)
        {
            throw new NotSupportedException(
                $"Tensor '{info.Name}' has type {info.Type}, which Hearth does not support; supported types: {string.Join(", ", TensorTypes.Supported)}.");
        }
    }
}
