using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth quantize</c>.</summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var cmd = new Command("quantize", "Convert a GGUF model's tensors to another type. (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth quantize' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
