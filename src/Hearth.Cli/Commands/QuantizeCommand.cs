using System.CommandLine;
using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth quantize INPUT.gguf OUTPUT.gguf TYPE</c> (llama-quantize's argument order).</summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "Source GGUF model" };
        var output = new Argument<string>("output") { Description = "GGUF file to write" };
        var type = new Argument<string>("type") { Description = "Target type: F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K..Q6_K, IQ4_NL, IQ4_XS, TQ1_0, TQ2_0" };
        var imatrix = new Option<string?>("--imatrix") { Description = "Importance matrix (llama-imatrix output) for the IQ1-IQ3 types" };
        var cmd = new Command("quantize", "Convert a GGUF model's weight matrices to another tensor type.") { input, output, type, imatrix };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string name = parse.GetValue(type)!;
            if (Enum.TryParse<GgmlType>(name, ignoreCase: true, out var grid) && ModelQuantizer.RequiresImportanceMatrix(grid))
            {
                // ggml's quantizers for these types fit the grid to an importance matrix; Hearth runs such files but has no such quantizer.
                throw new ArgumentException(parse.GetValue(imatrix) is null
                    ? $"{grid} needs an importance matrix: pass --imatrix FILE (from llama-imatrix). Hearth does not implement the importance-matrix quantizers yet either, so make {grid} files with llama-quantize --imatrix; Hearth runs them."
                    : $"Quantizing to {grid} with an importance matrix is not implemented in Hearth yet; make the file with llama-quantize --imatrix (Hearth runs it). Hearth quantizes to: {string.Join(", ", ModelQuantizer.Targets())}.");
            }
            if (!Enum.TryParse<GgmlType>(name, ignoreCase: true, out var target) || !ModelQuantizer.Targets().Contains(target))
            {
                throw new ArgumentException($"Unknown target type '{name}'; supported: {string.Join(", ", ModelQuantizer.Targets())}.");
            }
            string inPath = parse.GetValue(input)!, outPath = parse.GetValue(output)!;
            if (Path.GetFullPath(inPath) == Path.GetFullPath(outPath)) throw new ArgumentException("The output must be a different file from the input.");
            using var file = GgufFile.Open(inPath);
            var s = ModelQuantizer.Quantize(file, outPath, target, msg => Console.Error.WriteLine(msg));
            Console.WriteLine($"{target}: {s.Converted} matrices converted, {s.FellBack} with a fallback type, {s.Kept} tensors kept; " +
                              $"{s.InputBytes / 1e6:F2} MB -> {new FileInfo(outPath).Length / 1e6:F2} MB");
            return 0;
        }));
        return cmd;
    }
}
