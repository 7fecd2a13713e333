using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth perplexity</c>.</summary>
internal static class PerplexityCommand
{
    public static Command Create()
    {
        var cmd = new Command("perplexity", "Compute perplexity over a text file (as llama.cpp's perplexity tool). (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth perplexity' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
