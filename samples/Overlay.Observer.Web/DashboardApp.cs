using Overlay.Observer.Web.Api;

namespace Overlay.Observer.Web;

/// <summary>Builds the dashboard: the web host, the observer it wraps, the API and the static page.</summary>
public static class DashboardApp
{
    /// <summary>
    /// Builds (but does not start) the dashboard from command-line arguments: the dashboard's own options
    /// (<see cref="DashboardOptions.Command"/>) plus any ASP.NET Core ones such as <c>--urls</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is malformed.</exception>
    public static WebApplication Build(string[] args)
    {
        var options = DashboardOptions.Parse(args, out var hostArgs);
        return Build(options, hostArgs);
    }

    /// <summary>Builds (but does not start) the dashboard with parsed options and the web host's own arguments.</summary>
    internal static WebApplication Build(DashboardOptions options, string[] hostArgs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = hostArgs,
            // The page's files are copied next to the assembly, so the app finds them however it is started
            // (dotnet run, the published folder, or in-process from the tests).
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(DashboardApp).Assembly.GetName().Name,
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
            builder.WebHost.UseUrls(DashboardOptions.DefaultUrls);

        // The nodes' and the observer's per-link chatter stays out of the console unless asked for
        // (--Logging:LogLevel:Overlay=Information); the dashboard's own lines and warnings stay in.
        builder.Logging.AddFilter("Overlay", LogLevel.Warning);
        builder.Logging.AddFilter("Overlay.Observer.Web", LogLevel.Information);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<Dashboard>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Dashboard>());

        var app = builder.Build();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapDashboardApi();
        return app;
    }
}
