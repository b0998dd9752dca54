using FsCheck;
using NUnit.Framework;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Algorithms.Tests.Sessions;

public class StressReportTests
{
    [Test]
    public void Stress_DegreeTwoAt200KBps_OnePer100KBps_AndOneAndAHalfAfterAccepting()
    {
        var report = new StressReport(2, 200_000);
        Assert.That(report.Stress * 100_000, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(report.StressIfAccepted * 100_000, Is.EqualTo(1.5).Within(1e-12));
    }

    [Test]
    public void Stress_UnlimitedBandwidth_IsZero()
    {
        var report = new StressReport(7, double.PositiveInfinity);
        Assert.That(report.Stress, Is.Zero);
        Assert.That(report.StressIfAccepted, Is.Zero);
    }

    [FsProperty(MaxTest = 200)]
    public bool StressIfAccepted_AnyDegreeAndBandwidth_ExceedsStressByOneOverBandwidth(NonNegativeInt degree, PositiveInt bandwidth)
    {
        var report = new StressReport(degree.Get % 10_000, bandwidth.Get);
        var step = report.StressIfAccepted - report.Stress;
        return report.StressIfAccepted > report.Stress && Math.Abs(step - (1.0 / bandwidth.Get)) <= 1e-12 / bandwidth.Get;
    }
}
