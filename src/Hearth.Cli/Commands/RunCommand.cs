using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth run</c>.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var cmd = new Command("run", "Generate text from a prompt. (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth run' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
