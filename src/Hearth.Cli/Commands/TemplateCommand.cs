using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth template</c>.</summary>
internal static class TemplateCommand
{
    public static Command Create()
    {
        var cmd = new Command("template", "Render a model's chat template for a messages file. (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth template' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
