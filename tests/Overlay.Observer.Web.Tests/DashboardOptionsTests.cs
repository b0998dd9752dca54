using NUnit.Framework;

namespace Overlay.Observer.Web.Tests;

/// <summary>The dashboard's own command-line options, and what it leaves for ASP.NET Core.</summary>
public sealed class DashboardOptionsTests
{
    [Test]
    public void The_dashboards_options_are_taken_and_the_rest_left_for_the_host()
    {
        var options = DashboardOptions.Parse(
            ["--urls", "http://127.0.0.1:0", "--demo", "--observer-port", "4100", "--secret", "s3cret", "--trace-log", "t.log"], out var rest);

        Assert.That(options.Demo, Is.True);
        Assert.That(options.ObserverPort, Is.EqualTo(4100));
        Assert.That(options.SharedSecret, Is.EqualTo("s3cret"));
        Assert.That(options.TraceLogPath, Is.EqualTo("t.log"));
        Assert.That(rest, Is.EqualTo(new[] { "--urls", "http://127.0.0.1:0" }));
    }

    [Test]
    public void Without_options_there_is_no_demo_and_a_free_observer_port()
    {
        var options = DashboardOptions.Parse([], out var rest);

        Assert.That(options.Demo, Is.False);
        Assert.That(options.ObserverPort, Is.Zero);
        Assert.That(rest, Is.Empty);
    }

    [TestCase("--observer-port", "seventy")]
    [TestCase("--observer-port", "70000")]
    [TestCase("--observer-port", "-1")]
    public void A_bad_value_is_refused_with_its_name(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => DashboardOptions.Parse([option, value], out _));
        Assert.That(error!.Message, Does.Contain(option).And.Contain(value));
    }

    [Test]
    public void A_missing_value_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DashboardOptions.Parse(["--secret"], out _));
        Assert.That(error!.Message, Does.Contain("--secret"));
    }
}
