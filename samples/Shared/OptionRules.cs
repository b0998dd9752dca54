using System.CommandLine;

namespace Overlay.Samples;

/// <summary>Validation rules for the samples' command-line options (compiled into every sample).</summary>
internal static class OptionRules
{
    /// <summary>Refuses a value for which <paramref name="valid"/> is false, with <paramref name="error"/>'s message.</summary>
    /// <returns>The option, for chaining.</returns>
    public static Option<T> Require<T>(this Option<T> option, Func<T, bool> valid, Func<T, string> error)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // not even a T: the parser reports that already, naming the option and the text
            }

            if (!valid(value))
                result.AddError(error(value));
        });
        return option;
    }

    /// <summary>Refuses a value for which <paramref name="valid"/> is false, with <paramref name="error"/>.</summary>
    /// <returns>The option, for chaining.</returns>
    public static Option<T> Require<T>(this Option<T> option, Func<T, bool> valid, string error) =>
        option.Require(valid, _ => error);
}
