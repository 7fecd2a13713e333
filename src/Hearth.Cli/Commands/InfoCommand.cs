using System.CommandLine;
using Hearth.Gguf;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth info -m MODEL</c>: what a GGUF file holds.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file", Required = true };
        var cmd = new Command("info", "Show a GGUF model's architecture, parameters, tensor types and tokenizer.") { model };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            using var file = GgufFile.Open(parse.GetValue(model)!);
            Console.WriteLine($"GGUF v{file.Version}, {file.Tensors.Count} tensors, {file.Metadata.Count} metadata keys");
            return 0;
        }));
        return cmd;
    }
}
