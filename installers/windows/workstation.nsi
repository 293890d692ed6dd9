; NSIS installer for the Windows one-folder bundle. Built on Linux by installers/windows/build.sh
; with the native makensis:  makensis -DVERSION=x.y.z -DSOURCE_DIR=... -DOUTFILE=... workstation.nsi
; Per-user install (no administrator rights, as on a locked-down force laptop) into
; %LOCALAPPDATA%\Programs, a Start menu entry, and an uninstaller listed in Apps & features.
; Silent install: setup.exe /S [/D=C:\path]  (used by smoke_test.sh under Wine).
Unicode true
; 64-bit installer stub: the bundle is 64-bit, and a 32-bit stub needs the 32-bit Wine
; (wine32:i386) to run in the smoke test.
Target amd64-unicode
!ifndef VERSION
  !error "pass -DVERSION=<package version>"
!endif
!define APPNAME "London Deployment Workstation"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\LondonDeploymentWorkstation"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
SetCompressor /SOLID lzma
Icon "${__FILEDIR__}/workstation.ico"
UninstallIcon "${__FILEDIR__}/workstation.ico"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APPNAME} installer"
VIAddVersionKey "LegalCopyright" "MIT licence; data OGL v3.0, TfL open data, ODbL (see data\README.md)"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "Install"
  SetOutPath "$INSTDIR"
  File /r "${SOURCE_DIR}/*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk" "$INSTDIR\workstation.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk"
  RMDir "$SMPROGRAMS\${APPNAME}"
  RMDir /r "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd
