using System.Text;
using Hearth.Models;
using Hearth.Numerics;

namespace Hearth.Tests.Api;

/// <summary>docs/supported-models.md is generated from the code's tables; this test fails when they drift apart.</summary>
public class SupportedModelsDocTests
{
    [Fact]
    public void Supported_models_doc_matches_the_code_tables() =>
        RepoFiles.AssertMatches("docs/supported-models.md", Render());

    internal static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Supported models\n\n");
        sb.Append("<!-- Generated from Architectures.Names and TensorTypes.Supported by tests/Hearth.Tests/Api/SupportedModelsDocTests.cs;\n");
        sb.Append("     do not edit by hand: run the tests with HEARTH_UPDATE_DOCS=1 to regenerate. -->\n\n");
        sb.Append("Hearth runs GGUF files (version 2 or 3) whose `general.architecture` is one of these, and whose tensors\n");
        sb.Append("are stored in one of the tensor types below. Loading anything else fails with a message naming what is\n");
        sb.Append("unsupported and listing what is.\n\n");
        sb.Append("## Architectures (`general.architecture`)\n\n");
        foreach (var name in Architectures.Names) sb.Append("- `").Append(name).Append("`\n");
        sb.Append("\n## Tensor types\n\n");
        sb.Append("| type | block size (weights) | bytes per block | bits per weight | weights | `hearth quantize` target |\n");
        sb.Append("|---|---|---|---|---|---|\n");
        foreach (var type in TensorTypes.Supported)
        {
            var t = TensorTypes.Get(type);
            double bits = 8.0 * t.BytesPerBlock / t.BlockSize;
            sb.Append($"| {type} | {t.BlockSize} | {t.BytesPerBlock} | {bits.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)} | {(t.IsWeightType ? "yes" : "activations only")} | {(t.Quantize != null ? "yes" : "no")} |\n");
        }
        return sb.ToString();
    }
}
