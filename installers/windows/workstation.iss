; Inno Setup script for the Windows one-folder build.
; Build on Windows: pyinstaller installers\workstation.spec --distpath installers\dist
; then: iscc installers\windows\workstation.iss
#define AppName "London Deployment Workstation"
#define AppVersion "0.1.0"

[Setup]
AppId={{6B3C1F0E-8E1A-4E53-9D0B-2B7A4C0D5E11}
AppName={#AppName}
AppVersion={#AppVersion}
DefaultDirName={autopf}\London Deployment Workstation
DefaultGroupName={#AppName}
OutputDir=..\dist
OutputBaseFilename=london-deployment-workstation-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
PrivilegesRequired=lowest
ArchitecturesInstallIn64BitMode=x64

[Files]
Source: "..\dist\workstation\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\workstation.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\workstation.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop icon"; Flags: unchecked
