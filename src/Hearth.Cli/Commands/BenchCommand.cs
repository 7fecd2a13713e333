using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth bench</c>.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var cmd = new Command("bench", "Measure prompt processing and generation speed (like llama-bench). (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth bench' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
