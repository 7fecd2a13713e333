using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth tokenize</c>.</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var cmd = new Command("tokenize", "Tokenize text with a model's vocabulary. (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth tokenize' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
